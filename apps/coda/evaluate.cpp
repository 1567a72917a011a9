// `coda evaluate --timeloop FILES...`: the cost of one given mapping, as timeloop-model computes it.
#include <cstdio>

#include "commands.h"
#include "coda/core/error.h"
#include "coda/map/evaluator.h"
#include "coda/map/map_txt.h"
#include "coda/map/mapping_yaml.h"
#include "coda/map/report.h"
#include "coda/map/report_json.h"
#include "coda/map/timeloop_inputs.h"

namespace coda::cli {

namespace {

struct EvaluateOptions {
  std::vector<std::string> files;
  bool timeloop = false;
  bool json = false;
  bool per_action = false;
};

int evaluate(const EvaluateOptions& o) {
  if (!o.timeloop)
    throw InvalidError("coda evaluate", "pass --timeloop PROBLEM ARCH MAPPING [ERT ART] (Timeloop's input files)");
  map::LoadOptions lo;
  lo.ert.per_action = o.per_action;
  map::TimeloopInputs in = map::load_timeloop_inputs(o.files, lo);
  if (!in.mapping) throw InvalidError("--timeloop", "no file has a 'mapping' key; coda map searches for one");
  map::Cost c = map::evaluate(in.problem, in.arch, *in.mapping);
  if (!c.status.ok()) throw InvalidError(in.mapping_file, map::describe(c.status, c, in.problem, in.arch));
  if (o.json) {
    std::printf("{\"mapping\": %s, \"cost\": %s}\n",
                map::json_string(map::to_timeloop_mapping_yaml(*in.mapping, in.problem, in.arch)).c_str(),
                map::cost_to_json(c, in.problem, in.arch).c_str());
    return 0;
  }
  for (const std::string& n : in.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
  std::printf("%s\n%s", map::to_map_txt(in.problem, in.arch, *in.mapping).c_str(),
              map::format_cost(c, in.problem, in.arch).c_str());
  return 0;
}

}  // namespace

Action add_evaluate(CLI::App& app) {
  auto o = std::make_shared<EvaluateOptions>();
  auto* sub = app.add_subcommand("evaluate", "Cost of one mapping of a layer on an architecture (Timeloop's model)");
  sub->add_flag("--timeloop", o->timeloop, "the files are Timeloop inputs: PROBLEM ARCH MAPPING [ERT ART], any order");
  sub->add_option("files", o->files, "input files, recognised by their top-level keys")->required()->check(CLI::ExistingFile);
  sub->add_flag("--json", o->json, "print JSON: {mapping, cost: {cycles, energy_pj, pj_per_mac, levels: [...], mac}}");
  sub->add_flag("--ert-per-action", o->per_action,
                "price reads with the ERT's read action and fills/updates with its write action (default: Timeloop "
                "v0.3, the most expensive action for every access)");
  return [o] { return evaluate(*o); };
}

}  // namespace coda::cli
