// `coda map --timeloop FILES...`: search the mapspace of a layer on an architecture, as
// timeloop-mapper does, and print the best mapping with its cost and the search statistics.
#include <cstdio>

#include "commands.h"
#include "coda/core/error.h"
#include "coda/map/map_txt.h"
#include "coda/map/mapper.h"
#include "coda/map/mapping_yaml.h"
#include "coda/map/report.h"
#include "coda/map/report_json.h"
#include "coda/map/timeloop_inputs.h"

namespace coda::cli {

namespace {

struct MapOptions {
  std::vector<std::string> files;
  bool timeloop = false;
  bool json = false;
  bool per_action = false;
  std::string objective, algorithm = "auto";
  int threads = -1;
  uint64_t seed = 1, samples = 0;
};

int run_map(const MapOptions& o) {
  if (!o.timeloop)
    throw InvalidError("coda map", "pass --timeloop PROBLEM ARCH [CONSTRAINTS] [ERT ART] (whole-network mapping is not "
                                   "implemented yet)");
  map::LoadOptions lo;
  lo.ert.per_action = o.per_action;
  map::TimeloopInputs in = map::load_timeloop_inputs(o.files, lo);
  map::MapperOptions mo = in.mapper;  // a mapper file's settings, overridden by flags
  if (!o.objective.empty()) mo.objective = map::parse_objective(o.objective);
  if (o.threads >= 0) mo.threads = o.threads;
  mo.seed = o.seed;
  if (o.samples) mo.samples = o.samples;
  if (o.algorithm == "exhaustive") mo.algorithm = map::MapperOptions::Algorithm::exhaustive;
  else if (o.algorithm == "random") mo.algorithm = map::MapperOptions::Algorithm::random;
  else if (o.algorithm == "auto") mo.algorithm = map::MapperOptions::Algorithm::automatic;
  else throw InvalidError("--algorithm", "'" + o.algorithm + "' is not one of auto, exhaustive, random");
  map::MapperResult r = map::Mapper(in.problem, in.arch, in.constraints, mo).run();
  if (!r.found)
    throw InvalidError("mapper", format("no mapping fits (%llu tried): ", (unsigned long long)r.evaluated) +
                                     map::describe(r.failure, r.failure_cost, in.problem, in.arch));
  if (o.json) {
    std::printf("{\"mapping\": %s, \"map_txt\": %s, \"cost\": %s, \"search\": {\"objective\": \"%s\", \"algorithm\": "
                "\"%s\", \"mapspace\": %.17g, \"evaluated\": %llu, \"valid\": %llu, \"seconds\": %.6f}}\n",
                map::json_string(map::to_timeloop_mapping_yaml(r.mapping, in.problem, in.arch)).c_str(),
                map::json_string(map::to_map_txt(in.problem, in.arch, r.mapping)).c_str(),
                map::cost_to_json(r.cost, in.problem, in.arch).c_str(), map::objective_name(mo.objective),
                r.algorithm.c_str(), r.mapspace_size, (unsigned long long)r.evaluated, (unsigned long long)r.valid,
                r.seconds);
    return 0;
  }
  for (const std::string& n : in.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
  std::printf("search: %s over %.4g mappings, objective %s: %llu evaluated, %llu valid, %.2f s\n", r.algorithm.c_str(),
              r.mapspace_size, map::objective_name(mo.objective), (unsigned long long)r.evaluated,
              (unsigned long long)r.valid, r.seconds);
  std::printf("%s\n%s", map::to_map_txt(in.problem, in.arch, r.mapping).c_str(),
              map::format_cost(r.cost, in.problem, in.arch).c_str());
  return 0;
}

}  // namespace

Action add_map(CLI::App& app) {
  auto o = std::make_shared<MapOptions>();
  auto* sub = app.add_subcommand("map", "Find the best mapping of a layer on an architecture (Timeloop's mapper)");
  sub->add_flag("--timeloop", o->timeloop,
                "the files are Timeloop inputs: PROBLEM ARCH [CONSTRAINTS...] [ERT ART] [MAPPER], any order");
  sub->add_option("files", o->files, "input files, recognised by their top-level keys")->required()->check(CLI::ExistingFile);
  sub->add_option("--objective", o->objective, "edp (default), energy or cycles; ties compare energy, then cycles");
  sub->add_option("--threads", o->threads, "worker threads (default: a mapper file's num-threads, else all cores)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--algorithm", o->algorithm, "auto (exhaustive when small enough), exhaustive or random");
  sub->add_option("--samples", o->samples, "random search: mappings to draw (default 200000)");
  sub->add_option("--seed", o->seed, "random search seed; the result does not depend on --threads");
  sub->add_flag("--json", o->json, "print JSON: {mapping, map_txt, cost, search: {evaluated, valid, seconds, ...}}");
  sub->add_flag("--ert-per-action", o->per_action, "price reads and writes with their own ERT actions");
  return [o] { return run_map(*o); };
}

}  // namespace coda::cli
