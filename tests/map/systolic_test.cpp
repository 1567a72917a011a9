// Hand-worked SCALE-Sim v2 cycle counts on a 4x4 array, one per dataflow, for a 6x5x3 GEMM and a small
// strided conv. Each expectation is derived in the comment from SCALE-Sim's algorithm (R = C = 4 array
// rows and columns; Sr, Sc, T the operand dimensions on rows, columns and time; L the demand rows of one
// fold; CALC mode, so no stalls and Total Cycles = folds x L - 1, the index of the last demand row).
#include <gtest/gtest.h>

#include "coda/core/error.h"
#include "coda/map/systolic.h"
#include "coda/workload/scalesim_topology.h"

namespace {

using coda::hw::SystolicDataflow;
using coda::map::evaluate_systolic;
using coda::map::SystolicArray;
using coda::map::SystolicLayerCost;
using coda::workload::ScaleSimLayer;

SystolicArray array4x4(SystolicDataflow df) {
  SystolicArray a;
  a.rows = a.cols = 4;
  a.dataflow = df;
  return a;
}

// GEMM M=6, N=5, K=3: SCALE-Sim's topology_utils turns it into a conv with a 6x3 ifmap and five 1x3
// filters, so the ifmap operand is 6 x 3 (pixels x window), filter 3 x 5, ofmap 6 x 5; MACs = 90.
ScaleSimLayer gemm_6x5x3() {
  return coda::workload::parse_scalesim_topology("Layer,M,N,K,\ng,6,5,3,\n", "g.csv").layers.at(0);
}

// Conv: 5x5 ifmap, 3x3 filter, 2 channels, 3 filters, stride 2: ofmap side ceil((5-3+2)/2) = 2, so
// 4 pixels, window 3*3*2 = 18, 3 filters; MACs = 4*18*3 = 216.
ScaleSimLayer conv_small() {
  return coda::workload::parse_scalesim_topology("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter "
                                                 "Width, Channels, Num Filter, Strides,\nc,5,5,3,3,2,3,2,\n",
                                                 "c.csv")
      .layers.at(0);
}

TEST(SystolicHandWorked, GemmOutputStationary) {
  // OS: Sr = M = 6, Sc = N = 5, T = K = 3. Folds: ceil(6/4) = 2 row x ceil(5/4) = 2 col.
  // L = T + R + C - 2 = 3 + 4 + 4 - 2 = 9 (ifmap: T rows + C-1 drain rows, skewed over R columns).
  // Total = 4 * 9 - 1 = 35.
  SystolicLayerCost c = evaluate_systolic(gemm_6x5x3(), array4x4(SystolicDataflow::os));
  EXPECT_EQ(c.folds.row_folds, 2);
  EXPECT_EQ(c.folds.col_folds, 2);
  EXPECT_EQ(c.folds.cycles_per_fold, 9);
  EXPECT_EQ(c.total_cycles, 35);
  EXPECT_EQ(c.stall_cycles, 0);
  // Folds in SCALE-Sim's order (col fold outer): used PEs 4x4, 2x4, 4x1, 2x1 of 16:
  // mapping = (1 + 0.5 + 0.25 + 0.125) / 4 = 46.875 %.
  EXPECT_DOUBLE_EQ(c.mapping_efficiency_pct, 46.875);
  // compute util per fold = used * T / (16 * 9): 48/144 + 24/144 + 12/144 + 6/144 = 0.625; / 4 -> 15.625 %.
  EXPECT_DOUBLE_EQ(c.compute_util_pct, 15.625);
  // overall = 90 MACs * 100 / (35 cycles * 16 PEs).
  EXPECT_DOUBLE_EQ(c.overall_util_pct, 9000.0 / 560.0);
  // SRAM: ifmap T*Sr per col fold = 2*18 = 36; filter T*Sc per row fold = 2*15 = 30;
  // ofmap 6*5 = 30 plus SCALE-Sim's (R + C) per fold = 4*8 -> 62.
  EXPECT_EQ(c.ifmap_sram_reads, 36);
  EXPECT_EQ(c.filter_sram_reads, 30);
  EXPECT_EQ(c.ofmap_sram_writes, 62);
}

TEST(SystolicHandWorked, GemmWeightStationary) {
  // WS: Sr = K = 3, Sc = N = 5, T = M = 6. Folds: 1 row x 2 col.
  // L = 2R + C + T - 2 = 8 + 4 + 6 - 2 = 16 (ifmap: R load rows + T + C-1 drain rows, skewed over R).
  // Total = 2 * 16 - 1 = 31.
  SystolicLayerCost c = evaluate_systolic(gemm_6x5x3(), array4x4(SystolicDataflow::ws));
  EXPECT_EQ(c.folds.row_folds, 1);
  EXPECT_EQ(c.folds.col_folds, 2);
  EXPECT_EQ(c.folds.cycles_per_fold, 16);
  EXPECT_EQ(c.total_cycles, 31);
  // Used PEs 3x4 and 3x1 of 16: mapping = (0.75 + 0.1875) / 2 = 46.875 %.
  EXPECT_DOUBLE_EQ(c.mapping_efficiency_pct, 46.875);
  // SCALE-Sim divides compute by the unskewed filter demand (R + R+C+T-2 = 20 rows) + C - 1 = 19 cycles:
  // (12*6 + 3*6) / (16*19) / 2 = 90/608.
  EXPECT_EQ(c.folds.util_cycles_per_fold, 19);
  EXPECT_DOUBLE_EQ(c.compute_util_pct, 90.0 / 608.0 * 100);
  EXPECT_DOUBLE_EQ(c.overall_util_pct, 9000.0 / (31 * 16));
  EXPECT_EQ(c.ifmap_sram_reads, 2 * 6 * 3);  // T*Sr per col fold
  EXPECT_EQ(c.filter_sram_reads, 15);        // each weight once
  EXPECT_EQ(c.ofmap_sram_writes, 6 * 5);     // T*Sc per row fold
}

TEST(SystolicHandWorked, GemmInputStationary) {
  // IS: Sr = K = 3, Sc = M = 6, T = N = 5. Folds: 1 row x 2 col.
  // L = 2R + C + T - 2 = 8 + 4 + 5 - 2 = 15 (filter: R + T + C-1 rows, skewed over R). Total = 29.
  SystolicLayerCost c = evaluate_systolic(gemm_6x5x3(), array4x4(SystolicDataflow::is));
  EXPECT_EQ(c.folds.cycles_per_fold, 15);
  EXPECT_EQ(c.total_cycles, 29);
  // Used PEs 3x4 and 3x2: mapping = (12 + 6) / 16 / 2 = 56.25 %.
  EXPECT_DOUBLE_EQ(c.mapping_efficiency_pct, 56.25);
  // Compute: (12*5 + 6*5) / (16 * (8 + 8 + 5 - 3 = 18)) / 2 = 90/576 = 15.625 %.
  EXPECT_DOUBLE_EQ(c.compute_util_pct, 15.625);
  EXPECT_DOUBLE_EQ(c.overall_util_pct, 9000.0 / (29 * 16));
  EXPECT_EQ(c.ifmap_sram_reads, 18);         // each input once
  EXPECT_EQ(c.filter_sram_reads, 2 * 5 * 3); // T*Sr per col fold
  EXPECT_EQ(c.ofmap_sram_writes, 5 * 6);
}

TEST(SystolicHandWorked, ConvOutputStationary) {
  // OS: Sr = 4 pixels, Sc = 3 filters, T = 18. One fold, L = 18 + 4 + 4 - 2 = 24, total 23.
  SystolicLayerCost c = evaluate_systolic(conv_small(), array4x4(SystolicDataflow::os));
  EXPECT_EQ(c.macs, 216);
  EXPECT_EQ(c.folds.folds(), 1);
  EXPECT_EQ(c.total_cycles, 23);
  EXPECT_DOUBLE_EQ(c.mapping_efficiency_pct, 75.0);                 // 4x3 of 16
  EXPECT_DOUBLE_EQ(c.compute_util_pct, 216.0 / (16 * 24) * 100);   // 56.25
  EXPECT_DOUBLE_EQ(c.overall_util_pct, 21600.0 / (23 * 16));
}

TEST(SystolicHandWorked, ConvWeightStationary) {
  // WS: Sr = 18, Sc = 3, T = 4. Row folds ceil(18/4) = 5 (4,4,4,4,2 rows), 1 col fold.
  // L = 8 + 4 + 4 - 2 = 14; total = 5*14 - 1 = 69.
  SystolicLayerCost c = evaluate_systolic(conv_small(), array4x4(SystolicDataflow::ws));
  EXPECT_EQ(c.folds.row_folds, 5);
  EXPECT_EQ(c.total_cycles, 69);
  // mapping = (4 * 12/16 + 6/16) / 5 = 67.5 %; compute = (4*48 + 24) / (16*17) / 5.
  EXPECT_DOUBLE_EQ(c.mapping_efficiency_pct, 67.5);
  EXPECT_DOUBLE_EQ(c.compute_util_pct, 216.0 / 272.0 / 5 * 100);
  EXPECT_DOUBLE_EQ(c.overall_util_pct, 21600.0 / (69 * 16));
}

TEST(SystolicHandWorked, ConvInputStationary) {
  // IS: Sr = 18, Sc = 4 pixels, T = 3 filters. 5 row folds x 1 col fold; L = 8 + 4 + 3 - 2 = 13; total 64.
  SystolicLayerCost c = evaluate_systolic(conv_small(), array4x4(SystolicDataflow::is));
  EXPECT_EQ(c.total_cycles, 64);
  // mapping = (4 * 16/16 + 8/16) / 5 = 90 %; compute = (4 * 48 + 24) / (16 * 16) / 5 = 16.875 %.
  EXPECT_DOUBLE_EQ(c.mapping_efficiency_pct, 90.0);
  EXPECT_DOUBLE_EQ(c.compute_util_pct, 16.875);
  EXPECT_DOUBLE_EQ(c.overall_util_pct, 21600.0 / (64 * 16));
}

// SCALE-Sim issue #125: a 4x4 OS array and a layer with a 4-long window in one fold reports 9 cycles,
// the index of the last of its 4 + 4 + 4 - 2 = 10 demand rows.
TEST(SystolicHandWorked, OneFoldReportsLastDemandRowIndex) {
  ScaleSimLayer l;
  l.ifmap_h = l.ifmap_w = 3, l.filter_h = l.filter_w = 2, l.channels = 1, l.num_filters = 4;
  EXPECT_EQ(evaluate_systolic(l, array4x4(SystolicDataflow::os)).total_cycles, 9);
}

// USER mode with a bandwidth too low to stream an operand that does not fit its SRAM: coda reports a
// bandwidth-bound stall and says it is not SCALE-Sim's exact count.
TEST(SystolicUserMode, BandwidthBoundWhenOperandsStream) {
  SystolicArray a = array4x4(SystolicDataflow::os);
  a.interface_bandwidth = coda::hw::InterfaceBandwidth::user;
  a.ifmap_sram_words = a.filter_sram_words = 64;  // active halves of 32 words
  ScaleSimLayer l;
  l.ifmap_h = l.ifmap_w = 16, l.filter_h = l.filter_w = 3, l.channels = 8, l.num_filters = 8;
  a.dram_words_per_cycle = 1;
  SystolicLayerCost slow = evaluate_systolic(l, a);
  a.dram_words_per_cycle = 1000;
  SystolicLayerCost fast = evaluate_systolic(l, a);
  EXPECT_FALSE(slow.exact);
  EXPECT_GT(slow.stall_cycles, 0);
  // ifmap: 196 pixels x 72 window, swept once per col fold (2): 2*14112 - 32 words at 1 word/cycle.
  int64_t compute = slow.folds.demand_rows();
  EXPECT_EQ(slow.stall_cycles, 2 * 14112 - 32 - compute);
  EXPECT_EQ(fast.stall_cycles, 0);
  EXPECT_EQ(fast.total_cycles, compute - 1);
}

TEST(SystolicErrors, ZeroArrayDimension) {
  SystolicArray a = array4x4(SystolicDataflow::os);
  a.cols = 0;
  try {
    evaluate_systolic(gemm_6x5x3(), a);
    FAIL() << "no error";
  } catch (const coda::InvalidError& e) {
    EXPECT_NE(std::string(e.what()).find("zero dimension"), std::string::npos) << e.what();
  }
}

TEST(SystolicErrors, UserModeWithoutBandwidth) {
  coda::hw::ScaleSimConfig cfg;
  cfg.interface_bandwidth = coda::hw::InterfaceBandwidth::user;
  EXPECT_THROW(coda::map::systolic_array(cfg), coda::InvalidError);
}

}  // namespace
