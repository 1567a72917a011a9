// `coda inspect`: per-layer table (name, op, output shape, MACs, params) and totals; --json; --problems.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "coda/exec/executor.h"
#include "coda/workload/extract.h"
#include "coda/workload/timeloop_yaml.h"
#include "coda/zoo/zoo.h"

namespace coda::cli {

namespace {

struct InspectOptions {
  std::string model;
  bool json = false;
  bool problems = false;
  int64_t batch = 1;
};

std::string human(double v) {
  const char* unit[] = {"", "K", "M", "G", "T"};
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  return format(u ? "%.3f%s" : "%.0f%s", v, unit[u]);
}

int inspect(const InspectOptions& o) {
  if (o.model == "zoo:list") {
    for (const auto& n : zoo::names()) std::printf("%s\n", zoo::describe(n).c_str());
    return 0;
  }
  graph::Graph g = load_model(o.model);
  exec::specialize(g, o.batch);
  std::vector<workload::LayerWork> layers = workload::extract(g);
  int64_t macs = 0, params = 0;
  for (const auto& l : layers) {
    macs += l.macs;
    params += l.params;
  }
  if (o.problems) {
    for (const auto& l : layers)
      if (l.problem) std::printf("# layer %s (%s)\n---\n%s\n", l.name.c_str(), graph::op_name(l.op),
                                 workload::to_timeloop_yaml(*l.problem).c_str());
    return 0;
  }
  if (o.json) {
    nlohmann::json j;
    j["model"] = o.model;
    j["batch"] = o.batch;
    j["layers"] = nlohmann::json::array();
    for (const auto& l : layers)
      j["layers"].push_back({{"name", l.name}, {"op", graph::op_name(l.op)}, {"output_shape", l.output_shape},
                             {"macs", l.macs}, {"params", l.params}, {"vector_ops", l.vector_ops}});
    j["total"] = {{"macs", macs}, {"params", params}, {"layers", layers.size()}};
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("%-40s %-20s %-22s %12s %12s\n", "layer", "op", "output", "MACs", "params");
  for (const auto& l : layers)
    std::printf("%-40s %-20s %-22s %12s %12s\n", l.name.substr(0, 40).c_str(), graph::op_name(l.op),
                shape_str(l.output_shape).c_str(), human(static_cast<double>(l.macs)).c_str(),
                human(static_cast<double>(l.params)).c_str());
  std::printf("total: %zu layers, %s MACs (%lld), %s params (%lld), batch %lld\n", layers.size(),
              human(static_cast<double>(macs)).c_str(), (long long)macs, human(static_cast<double>(params)).c_str(),
              (long long)params, (long long)o.batch);
  return 0;
}

}  // namespace

Action add_inspect(CLI::App& app) {
  auto o = std::make_shared<InspectOptions>();
  auto* sub = app.add_subcommand("inspect", "Per-layer MACs, parameters and shapes of a model");
  sub->add_option("model", o->model, "MODEL: an .onnx file or zoo:NAME[?key=value...]; zoo:list lists the zoo")->required();
  sub->add_flag("--json", o->json, "print JSON: {model, layers:[{name,op,macs,params,...}], total}");
  sub->add_flag("--problems", o->problems, "print each compute layer as a Timeloop problem (YAML)");
  sub->add_option("--batch", o->batch, "size bound to unknown input dims (default 1)")->check(CLI::PositiveNumber);
  return [o] { return inspect(*o); };
}

}  // namespace coda::cli
