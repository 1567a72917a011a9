// map::evaluate_systolic: SCALE-Sim v2's cycle count and utilization of a layer on a systolic array
// (OS, WS or IS dataflow), computed in closed form per fold instead of by building a demand matrix
// with one row per cycle. docs/systolic.md derives every formula and says which numbers are exact.
//
// SCALE-Sim maps a layer to three operand matrices: ifmap (im2col: ofmap pixels x window R*S*C),
// filter (window x filters) and ofmap (pixels x filters). Each dataflow puts two of their dimensions on
// the array's rows and columns (Sr, Sc) and streams the third (T) through time, in
// ceil(Sr/rows) x ceil(Sc/cols) folds, each paying skew fill and drain.
//
//   SystolicArray a = systolic_array(hw::load_scalesim_config("scale.cfg"));
//   auto topo = workload::load_scalesim_topology("Resnet50.csv");
//   SystolicLayerCost c = evaluate_systolic(topo.layers[0], a);
//   c.total_cycles;   // COMPUTE_REPORT.csv's "Total Cycles"
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "coda/hw/scalesim_config.h"
#include "coda/workload/scalesim_topology.h"

namespace coda::map {

// The array and memory system SCALE-Sim simulates: sizes in words (SCALE-Sim's word is one byte).
struct SystolicArray {
  int64_t rows = 4, cols = 4;
  hw::SystolicDataflow dataflow = hw::SystolicDataflow::os;
  int64_t ifmap_sram_words = 256 * 1024, filter_sram_words = 256 * 1024, ofmap_sram_words = 128 * 1024;
  hw::InterfaceBandwidth interface_bandwidth = hw::InterfaceBandwidth::calc;
  int64_t dram_words_per_cycle = 10;  // USER mode: the cfg's first Bandwidth
};

// Throws InvalidError("<run_name>", ...) on a config in USER mode without a bandwidth.
SystolicArray systolic_array(const hw::ScaleSimConfig& config);

// How one layer folds onto the array (SCALE-Sim's Sr, Sc, T and fold counts).
struct SystolicFolds {
  int64_t spatial_rows = 0, spatial_cols = 0, temporal = 0;  // Sr, Sc, T
  int64_t row_folds = 0, col_folds = 0;
  int64_t cycles_per_fold = 0;       // demand-matrix rows per fold: fill + T + drain
  int64_t util_cycles_per_fold = 0;  // the fold length SCALE-Sim divides by for "Compute Util %"
  int64_t folds() const { return row_folds * col_folds; }
  int64_t demand_rows() const { return folds() * cycles_per_fold; }
};

// Throws InvalidError on an array with a zero dimension.
SystolicFolds fold_layer(const workload::ScaleSimLayer& layer, const SystolicArray& array);

struct SystolicLayerCost {
  std::string name;
  int64_t total_cycles = 0;  // SCALE-Sim's "Total Cycles": the cycle of the last ofmap write
  int64_t stall_cycles = 0;
  double overall_util_pct = 0, mapping_efficiency_pct = 0, compute_util_pct = 0;
  int64_t macs = 0;
  int64_t ifmap_sram_reads = 0, filter_sram_reads = 0, ofmap_sram_writes = 0;  // as SCALE-Sim counts them
  SystolicFolds folds;
  // True when every number is SCALE-Sim's exactly (always in CALC mode); false when USER-mode DRAM
  // reads would stall, which coda bounds by bandwidth instead of replaying SCALE-Sim's prefetcher.
  bool exact = true;
};

SystolicLayerCost evaluate_systolic(const workload::ScaleSimLayer& layer, const SystolicArray& array);
std::vector<SystolicLayerCost> evaluate_systolic(const workload::ScaleSimTopology& topology,
                                                 const SystolicArray& array);

}  // namespace coda::map
