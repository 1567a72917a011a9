// evaluate_systolic: one layer's COMPUTE_REPORT row from the fold closed forms, the stall models and
// SCALE-Sim's utilization averages (accumulated fold by fold in its order, so the floating-point sums
// round as Python's do).
#include "coda/map/systolic.h"

#include <algorithm>

#include "coda/core/error.h"
#include "coda/map/systolic_stalls.h"

namespace coda::map {

namespace {

// Python's int / int: correctly rounded. Doubles divide exactly rounded when both operands are exact.
double true_divide(__int128 a, __int128 b) {
  constexpr __int128 exact = __int128(1) << 53;
  if (a < exact && b < exact) return static_cast<double>(static_cast<int64_t>(a)) / static_cast<double>(static_cast<int64_t>(b));
  return static_cast<double>(static_cast<long double>(a) / static_cast<long double>(b));
}

// SCALE-Sim's per-fold mapping efficiency and compute utilization, averaged over folds in its order
// (column folds outer, row folds inner), each as a running float sum divided by the fold count.
void average_utilization(const SystolicFolds& f, const SystolicArray& a, SystolicLayerCost& c) {
  const int64_t pes = a.rows * a.cols;
  double mapping = 0, compute = 0;
  for (int64_t fc = 0; fc < f.col_folds; ++fc) {
    int64_t cols_used = std::min(a.cols, f.spatial_cols - fc * a.cols);
    for (int64_t fr = 0; fr < f.row_folds; ++fr) {
      int64_t macs_used = std::min(a.rows, f.spatial_rows - fr * a.rows) * cols_used;
      mapping += true_divide(macs_used, pes);
      compute += true_divide(__int128(macs_used) * f.temporal, __int128(pes) * f.util_cycles_per_fold);
    }
  }
  c.mapping_efficiency_pct = mapping / static_cast<double>(f.folds()) * 100;
  c.compute_util_pct = compute / static_cast<double>(f.folds()) * 100;
}

// The SRAM requests SCALE-Sim's compute model counts (its ifmap_reads, filter_reads, ofmap_writes).
void count_sram_accesses(const SystolicFolds& f, const SystolicArray& a, SystolicLayerCost& c) {
  const int64_t Sr = f.spatial_rows, Sc = f.spatial_cols, T = f.temporal;
  switch (a.dataflow) {
    case hw::SystolicDataflow::os:
      c.ifmap_sram_reads = f.col_folds * T * Sr;
      c.filter_sram_reads = f.row_folds * T * Sc;
      // systolic_compute_os also adds rows + cols per fold after padding the ofmap block.
      c.ofmap_sram_writes = Sr * Sc + f.folds() * (a.rows + a.cols);
      break;
    case hw::SystolicDataflow::ws:
      c.ifmap_sram_reads = f.col_folds * T * Sr;
      c.filter_sram_reads = Sr * Sc;
      c.ofmap_sram_writes = f.row_folds * T * Sc;
      break;
    case hw::SystolicDataflow::is:
      c.ifmap_sram_reads = Sr * Sc;
      c.filter_sram_reads = f.col_folds * T * Sr;
      c.ofmap_sram_writes = f.row_folds * T * Sc;
      break;
  }
}

}  // namespace

SystolicArray systolic_array(const hw::ScaleSimConfig& config) {
  SystolicArray a;
  a.rows = config.array_rows, a.cols = config.array_cols;
  a.dataflow = config.dataflow;
  a.ifmap_sram_words = config.ifmap_sram_words();
  a.filter_sram_words = config.filter_sram_words();
  a.ofmap_sram_words = config.ofmap_sram_words();
  a.interface_bandwidth = config.interface_bandwidth;
  if (a.interface_bandwidth == hw::InterfaceBandwidth::user) {
    if (config.bandwidth_words_per_cycle.empty())
      throw InvalidError(config.run_name, "InterfaceBandwidth is USER but no Bandwidth is given");
    a.dram_words_per_cycle = config.bandwidth_words_per_cycle.front();
  }
  return a;
}

SystolicLayerCost evaluate_systolic(const workload::ScaleSimLayer& layer, const SystolicArray& array) {
  if (array.ifmap_sram_words < 2 || array.filter_sram_words < 2 || array.ofmap_sram_words < 2)
    throw InvalidError("systolic array", "each SRAM needs at least 2 words (one active, one prefetch)");
  if (array.dram_words_per_cycle < 1) throw InvalidError("systolic array", "DRAM bandwidth must be at least 1 word per cycle");
  SystolicLayerCost c;
  c.name = layer.name;
  c.folds = fold_layer(layer, array);
  c.macs = layer.macs();
  bool user = array.interface_bandwidth == hw::InterfaceBandwidth::user;
  // CALC mode: reads never stall (read_buffer_estimate_bw) and the ofmap drains `cols` words a cycle.
  c.stall_cycles = ofmap_write_stalls(c.folds, array, user ? array.dram_words_per_cycle : array.cols);
  if (user) {
    ReadStalls reads = dram_read_stalls(c.folds, array);
    c.stall_cycles += reads.stall_cycles;
    c.exact = reads.exact;
  }
  // The last demand row is cycle demand_rows - 1; every stall delays it by one cycle.
  c.total_cycles = c.folds.demand_rows() - 1 + c.stall_cycles;
  int64_t pes = array.rows * array.cols;
  c.overall_util_pct = c.total_cycles > 0 ? true_divide(__int128(c.macs) * 100, __int128(c.total_cycles) * pes) : 0;
  average_utilization(c.folds, array, c);
  count_sram_accesses(c.folds, array, c);
  return c;
}

std::vector<SystolicLayerCost> evaluate_systolic(const workload::ScaleSimTopology& topology,
                                                 const SystolicArray& array) {
  std::vector<SystolicLayerCost> out;
  out.reserve(topology.layers.size());
  for (const auto& l : topology.layers) out.push_back(evaluate_systolic(l, array));
  return out;
}

}  // namespace coda::map
