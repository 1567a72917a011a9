// `coda systolic -c CONFIG.cfg -t TOPO.csv [-o DIR] [--dataflow os|ws|is] [--rows N --cols N] [--json]`:
// SCALE-Sim's cycle counts per layer; a table (or JSON) and DIR/COMPUTE_REPORT.csv.
#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "coda/core/error.h"
#include "coda/hw/scalesim_config.h"
#include "coda/map/systolic.h"
#include "coda/map/systolic_report.h"
#include "coda/workload/scalesim_topology.h"

namespace coda::cli {

namespace {

struct SystolicOptions {
  std::string config, topology, out_dir, dataflow;
  int64_t rows = -1, cols = -1;
  bool json = false;
};

nlohmann::json layer_json(const map::SystolicLayerCost& c) {
  return {{"name", c.name},
          {"total_cycles", c.total_cycles},
          {"stall_cycles", c.stall_cycles},
          {"overall_util_pct", c.overall_util_pct},
          {"mapping_efficiency_pct", c.mapping_efficiency_pct},
          {"compute_util_pct", c.compute_util_pct},
          {"macs", c.macs},
          {"sr", c.folds.spatial_rows},
          {"sc", c.folds.spatial_cols},
          {"t", c.folds.temporal},
          {"row_folds", c.folds.row_folds},
          {"col_folds", c.folds.col_folds},
          {"cycles_per_fold", c.folds.cycles_per_fold},
          {"ifmap_sram_reads", c.ifmap_sram_reads},
          {"filter_sram_reads", c.filter_sram_reads},
          {"ofmap_sram_writes", c.ofmap_sram_writes},
          {"exact", c.exact}};
}

int systolic(const SystolicOptions& o) {
  auto t0 = std::chrono::steady_clock::now();
  hw::ScaleSimConfig cfg = hw::load_scalesim_config(o.config);
  if (!o.dataflow.empty()) cfg.dataflow = hw::parse_dataflow(o.dataflow, "--dataflow");
  if (o.rows != -1) {
    if (o.rows < 1) throw InvalidError("--rows", format("%lld: the array needs at least 1 row", (long long)o.rows));
    cfg.array_rows = o.rows;
  }
  if (o.cols != -1) {
    if (o.cols < 1) throw InvalidError("--cols", format("%lld: the array needs at least 1 column", (long long)o.cols));
    cfg.array_cols = o.cols;
  }
  workload::ScaleSimTopology topo = workload::load_scalesim_topology(o.topology);
  map::SystolicArray array = map::systolic_array(cfg);
  std::vector<map::SystolicLayerCost> costs = map::evaluate_systolic(topo, array);
  if (!o.out_dir.empty()) map::write_compute_report(o.out_dir, costs);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  int64_t cycles = 0, stalls = 0, macs = 0;
  bool exact = true;
  for (const auto& c : costs) cycles += c.total_cycles, stalls += c.stall_cycles, macs += c.macs, exact &= c.exact;
  const char* mode = cfg.interface_bandwidth == hw::InterfaceBandwidth::calc ? "CALC" : "USER";
  if (o.json) {
    nlohmann::json j;
    j["config"] = {{"run_name", cfg.run_name},       {"rows", cfg.array_rows},
                   {"cols", cfg.array_cols},         {"dataflow", hw::dataflow_name(cfg.dataflow)},
                   {"interface_bandwidth", mode},    {"ifmap_sram_kb", cfg.ifmap_sram_kb},
                   {"filter_sram_kb", cfg.filter_sram_kb}, {"ofmap_sram_kb", cfg.ofmap_sram_kb}};
    j["topology"] = topo.name;
    j["layers"] = nlohmann::json::array();
    for (const auto& c : costs) j["layers"].push_back(layer_json(c));
    j["total"] = {{"cycles", cycles}, {"stall_cycles", stalls}, {"macs", macs}, {"exact", exact}};
    j["seconds"] = seconds;
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("%s on %lldx%lld %s, %s bandwidth (%s)\n", topo.name.c_str(), (long long)cfg.array_rows,
              (long long)cfg.array_cols, hw::dataflow_name(cfg.dataflow), mode, cfg.run_name.c_str());
  std::printf("%-24s %22s %9s %13s %10s %8s %8s %8s\n", "layer", "Sr x Sc x T", "folds", "total cycles", "stalls",
              "util %", "map %", "comp %");
  for (const auto& c : costs) {
    std::string dims = format("%lldx%lldx%lld", (long long)c.folds.spatial_rows, (long long)c.folds.spatial_cols,
                              (long long)c.folds.temporal);
    std::printf("%-24s %22s %9lld %13lld %9lld%s %8.2f %8.2f %8.2f\n", c.name.substr(0, 24).c_str(), dims.c_str(),
                (long long)c.folds.folds(), (long long)c.total_cycles, (long long)c.stall_cycles, c.exact ? " " : "~",
                c.overall_util_pct, c.mapping_efficiency_pct, c.compute_util_pct);
  }
  std::printf("total: %zu layers, %lld cycles, %lld stall cycles, %lld MACs, %.3f s\n", costs.size(),
              (long long)cycles, (long long)stalls, (long long)macs, seconds);
  if (!exact) std::printf("~: USER-mode DRAM read stalls bounded by bandwidth, not SCALE-Sim's exact count\n");
  if (!o.out_dir.empty()) std::printf("wrote %s/COMPUTE_REPORT.csv\n", o.out_dir.c_str());
  return 0;
}

}  // namespace

Action add_systolic(CLI::App& app) {
  auto o = std::make_shared<SystolicOptions>();
  auto* sub = app.add_subcommand("systolic", "SCALE-Sim-exact systolic cycles from a SCALE-Sim .cfg and topology .csv");
  sub->add_option("-c,--config", o->config, "SCALE-Sim config (.cfg)")->required();
  sub->add_option("-t,--topology", o->topology, "SCALE-Sim topology (.csv: conv or M,N,K GEMM)")->required();
  sub->add_option("-o,--out", o->out_dir, "write DIR/COMPUTE_REPORT.csv (SCALE-Sim's format)");
  sub->add_option("--dataflow", o->dataflow, "override the cfg's dataflow: os, ws or is");
  sub->add_option("--rows", o->rows, "override ArrayHeight");
  sub->add_option("--cols", o->cols, "override ArrayWidth");
  sub->add_flag("--json", o->json, "print JSON: {config, topology, layers:[...], total, seconds}");
  return [o] { return systolic(*o); };
}

}  // namespace coda::cli
