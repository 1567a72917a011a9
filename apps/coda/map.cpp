// `coda map`: the best mapping of a layer (`--timeloop`, Timeloop's files, as timeloop-mapper) or
// of every compute layer of a model (`MODEL --arch ARCH`), with its cost and search statistics.
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "coda/core/error.h"
#include "coda/core/file_io.h"
#include "coda/exec/executor.h"
#include <filesystem>

#include "coda/hw/arch_yaml.h"
#include "coda/hw/templates.h"
#include "coda/hw/timeloop_arch.h"
#include "coda/map/map_txt.h"
#include "coda/map/mapper.h"
#include "coda/map/mapping_yaml.h"
#include "coda/map/network.h"
#include "coda/map/report.h"
#include "coda/map/report_json.h"
#include "coda/map/timeloop_inputs.h"

namespace coda::cli {

namespace {

struct MapOptions {
  std::vector<std::string> files;
  bool timeloop = false, json = false, per_action = false;
  std::string arch, ert, art, objective, algorithm = "auto";
  int threads = -1;
  int64_t batch = 1;
  uint64_t seed = 1, samples = 0, refine = UINT64_MAX;
};

map::MapperOptions mapper_options(const MapOptions& o, map::MapperOptions mo) {
  if (!o.objective.empty()) mo.objective = map::parse_objective(o.objective);
  if (o.threads >= 0) mo.threads = o.threads;
  mo.seed = o.seed;
  if (o.samples) mo.samples = o.samples;
  if (o.refine != UINT64_MAX) mo.refine_steps = o.refine;
  if (o.algorithm == "exhaustive") mo.algorithm = map::MapperOptions::Algorithm::exhaustive;
  else if (o.algorithm == "random") mo.algorithm = map::MapperOptions::Algorithm::random;
  else if (o.algorithm == "auto") mo.algorithm = map::MapperOptions::Algorithm::automatic;
  else throw InvalidError("--algorithm", "'" + o.algorithm + "' is not one of auto, exhaustive, random");
  return mo;
}

int map_timeloop(const MapOptions& o) {
  map::LoadOptions lo;
  lo.ert.per_action = o.per_action;
  map::TimeloopInputs in = map::load_timeloop_inputs(o.files, lo);
  map::MapperOptions mo = mapper_options(o, in.mapper);  // a mapper file's settings, overridden by flags
  map::MapperResult r = map::Mapper(in.problem, in.arch, in.constraints, mo).run();
  if (!r.found)
    throw InvalidError("mapper", format("no mapping fits (%llu tried): ", (unsigned long long)r.evaluated) +
                                     map::describe(r.failure, r.failure_cost, in.problem, in.arch));
  std::string map_txt = map::to_map_txt(in.problem, in.arch, r.mapping);
  if (o.json) {
    std::printf("{\"mapping\": %s, \"map_txt\": %s, \"cost\": %s, \"search\": {\"objective\": \"%s\", \"algorithm\": "
                "\"%s\", \"mapspace\": %.17g, \"evaluated\": %llu, \"valid\": %llu, \"seconds\": %.6f}}\n",
                map::json_string(map::to_timeloop_mapping_yaml(r.mapping, in.problem, in.arch)).c_str(),
                map::json_string(map_txt).c_str(), map::cost_to_json(r.cost, in.problem, in.arch).c_str(),
                map::objective_name(mo.objective), r.algorithm.c_str(), r.mapspace_size, (unsigned long long)r.evaluated,
                (unsigned long long)r.valid, r.seconds);
    return 0;
  }
  for (const std::string& n : in.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
  std::printf("search: %s over %.4g mappings, objective %s: %llu evaluated, %llu valid, %.2f s\n%s\n%s",
              r.algorithm.c_str(), r.mapspace_size, map::objective_name(mo.objective), (unsigned long long)r.evaluated,
              (unsigned long long)r.valid, r.seconds, map_txt.c_str(), map::format_cost(r.cost, in.problem, in.arch).c_str());
  return 0;
}

int map_model(const MapOptions& o) {
  if (o.files.size() != 1 || o.arch.empty())
    throw InvalidError("coda map", "expected MODEL --arch ARCH (or --timeloop FILES...)");
  // ARCH is a YAML file (coda's or Timeloop's) or a template spec such as gemmini?dim=32.
  std::error_code ec;
  bool looks_like_file = std::filesystem::exists(o.arch, ec) || o.arch.ends_with(".yaml") || o.arch.ends_with(".yml");
  hw::Architecture a = looks_like_file ? hw::load_any(read_file(o.arch), o.arch) : hw::build_template(o.arch);
  if (!o.ert.empty()) hw::apply_ert(a, read_file(o.ert), o.ert, {.per_action = o.per_action});
  if (!o.art.empty()) hw::apply_art(a, read_file(o.art), o.art);
  graph::Graph g = load_model(o.files[0]);
  exec::specialize(g, o.batch);
  map::NetworkMapping n = map::map_network(workload::extract(g), a, mapper_options(o, {}));
  if (o.json) {
    std::string layers;
    for (const map::LayerMapping& l : n.layers)
      layers += std::string(layers.empty() ? "" : ", ") + "{\"name\": " + map::json_string(l.name) +
                ", \"cached\": " + (l.cached ? "true" : "false") + ", \"mapping\": " +
                map::json_string(map::to_timeloop_mapping_yaml(l.result.mapping, l.problem, a)) +
                ", \"cost\": " + map::cost_to_json(l.result.cost, l.problem, a) + "}";
    std::printf("{\"layers\": [%s], \"total\": {\"macs\": %lld, \"cycles\": %lld, \"energy_uj\": %.17g, \"network_energy_uj\": "
                "%.17g, \"pj_per_mac\": %.17g, \"area_mm2\": %.17g, \"utilization\": %.17g, \"latency_us\": %.17g}, \"search\": "
                "{\"evaluated\": %llu, \"valid\": %llu, \"distinct_shapes\": %d, \"seconds\": %.6f}}\n",
                layers.c_str(), (long long)n.macs, (long long)n.cycles, n.energy_pj / 1e6, n.network_energy_pj / 1e6,
                n.pj_per_mac(), n.area_um2 / 1e6,
                n.utilization, a.clock_mhz > 0 ? n.cycles / a.clock_mhz : -1.0, (unsigned long long)n.evaluated, (unsigned long long)n.valid, n.distinct_shapes, n.seconds);
    return 0;
  }
  std::printf("%-40s %14s %14s %14s %8s %7s\n", "layer", "MACs", "cycles", "energy_uj", "pJ/MAC", "util");
  for (const map::LayerMapping& l : n.layers)
    std::printf("%-40s %14lld %14lld %14.3f %8.3f %6.1f%%%s\n", l.name.substr(0, 40).c_str(), (long long)l.result.cost.macs,
                (long long)l.result.cost.cycles, l.result.cost.energy_pj / 1e6, l.result.cost.pj_per_mac(),
                100 * l.result.cost.utilization, l.cached ? "  (same shape as above)" : "");
  std::printf("total: %zu layers, %lld MACs, %lld cycles, %.3f uJ, %.3f pJ/MAC, utilization %.1f%%, area %.3f mm^2\n",
              n.layers.size(), (long long)n.macs, (long long)n.cycles, n.energy_pj / 1e6, n.pj_per_mac(),
              100 * n.utilization, n.area_um2 / 1e6);
  if (n.network_energy_pj > 0)
    std::printf("network: %.3f uJ of the energy (%.1f%%), words delivered over the levels' NoCs\n",
                n.network_energy_pj / 1e6, 100 * n.network_energy_pj / n.energy_pj);
  if (a.clock_mhz > 0)
    std::printf("latency: %.3f us at %.0f MHz (%g nm)\n", n.cycles / a.clock_mhz, a.clock_mhz, a.technology_nm);
  std::printf("search: %d distinct shapes, %llu mappings evaluated, %llu valid, %.2f s\n", n.distinct_shapes,
              (unsigned long long)n.evaluated, (unsigned long long)n.valid, n.seconds);
  return 0;
}

}  // namespace

Action add_map(CLI::App& app) {
  auto o = std::make_shared<MapOptions>();
  auto* sub = app.add_subcommand("map", "Find the best mapping of a layer (--timeloop) or of a model on an architecture");
  sub->add_option("files", o->files,
                  "MODEL (an .onnx file or zoo:NAME), or with --timeloop Timeloop's files: PROBLEM ARCH "
                  "[CONSTRAINTS...] [ERT ART] [MAPPER], recognised by their top-level keys")
      ->required();
  sub->add_flag("--timeloop", o->timeloop, "the files are Timeloop inputs");
  sub->add_option("--arch", o->arch,
                  "MODEL mode: the architecture: a YAML file (coda's or Timeloop's) or a template, e.g. gemmini?dim=32 "
                  "(gemmini, eyeriss, simba, tpu-v1, edge-npu, catransformers)");
  sub->add_option("--ert", o->ert, "MODEL mode: Accelergy energy table for a Timeloop architecture")->check(CLI::ExistingFile);
  sub->add_option("--art", o->art, "MODEL mode: Accelergy area table")->check(CLI::ExistingFile);
  sub->add_option("--batch", o->batch, "MODEL mode: size bound to unknown input dims (default 1)")->check(CLI::PositiveNumber);
  sub->add_option("--objective", o->objective, "edp (default), energy or cycles; ties compare energy, then cycles");
  sub->add_option("--threads", o->threads, "worker threads (default: a mapper file's num-threads, else all cores)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--algorithm", o->algorithm, "auto (exhaustive when small enough), exhaustive or random");
  sub->add_option("--samples", o->samples, "random search: mappings to draw (default 200000)");
  sub->add_option("--refine", o->refine, "random search: hill-climbing steps after sampling (default 100000)");
  sub->add_option("--seed", o->seed, "random search seed; the result does not depend on --threads");
  sub->add_flag("--json", o->json, "print JSON (--timeloop: {mapping, map_txt, cost, search}; MODEL: {layers, total, search})");
  sub->add_flag("--ert-per-action", o->per_action, "price reads and writes with their own ERT actions");
  return [o] { return o->timeloop ? map_timeloop(*o) : map_model(*o); };
}

}  // namespace coda::cli
