// Every SCALE-Sim config shipped in tests/data/scalesim runs every shipped topology (conv and GEMM) in
// every dataflow; CALC-mode results are exact, stall-free and equal the fold closed form. One layer per
// kind is checked against numbers worked by hand.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "coda/hw/scalesim_config.h"
#include "coda/map/systolic.h"
#include "coda/workload/scalesim_topology.h"

namespace {

const std::string kData = std::string(CODA_SOURCE_DIR) + "/tests/data/scalesim/";

TEST(SystolicCorpus, EveryConfigRunsEveryTopology) {
  const std::map<std::string, size_t> layers = {{"Resnet18", 21}, {"Resnet50", 54},  {"alexnet", 5},
                                                {"gpt2", 6},      {"mobilenet", 27}, {"transformer_partial", 6},
                                                {"yolo_tiny", 9}};
  for (const char* cfg_name : {"eyeriss", "google", "scale"}) {
    auto cfg = coda::hw::load_scalesim_config(kData + "configs/" + cfg_name + ".cfg");
    for (const auto& [topo_name, count] : layers) {
      auto topo = coda::workload::load_scalesim_topology(kData + "topologies/" + topo_name + ".csv");
      ASSERT_EQ(topo.layers.size(), count) << topo_name;
      EXPECT_EQ(topo.gemm, topo_name == "gpt2" || topo_name == "transformer_partial") << topo_name;
      for (auto df : {coda::hw::SystolicDataflow::os, coda::hw::SystolicDataflow::ws, coda::hw::SystolicDataflow::is}) {
        cfg.dataflow = df;
        auto costs = coda::map::evaluate_systolic(topo, coda::map::systolic_array(cfg));
        ASSERT_EQ(costs.size(), count);
        for (const auto& c : costs) {
          SCOPED_TRACE(std::string(cfg_name) + " " + topo_name + " " + c.name + " " + coda::hw::dataflow_name(df));
          EXPECT_TRUE(c.exact);
          EXPECT_EQ(c.stall_cycles, 0);
          EXPECT_EQ(c.total_cycles, c.folds.demand_rows() - 1);
          EXPECT_GT(c.overall_util_pct, 0);
          EXPECT_LE(c.overall_util_pct, 100);
          EXPECT_LE(c.mapping_efficiency_pct, 100);
          EXPECT_LE(c.compute_util_pct, c.mapping_efficiency_pct);
        }
      }
    }
  }
}

// scale.cfg (32x32, OS) on Resnet50's Conv1: 224x224, 7x7x3, 64 filters, stride 2, no padding.
// Ofmap side ceil((224 - 7 + 2) / 2) = 110, so Sr = 12100 pixels, Sc = 64, T = 147.
// Folds ceil(12100/32) = 379 x 2; L = 147 + 32 + 32 - 2 = 209; total = 758 * 209 - 1 = 158421.
TEST(SystolicCorpus, Resnet50Conv1OnScaleCfg) {
  auto cfg = coda::hw::load_scalesim_config(kData + "configs/scale.cfg");
  auto topo = coda::workload::load_scalesim_topology(kData + "topologies/Resnet50.csv");
  auto c = coda::map::evaluate_systolic(topo.layers.at(0), coda::map::systolic_array(cfg));
  EXPECT_EQ(c.name, "Conv1");
  EXPECT_EQ(c.folds.spatial_rows, 12100);
  EXPECT_EQ(c.folds.row_folds, 379);
  EXPECT_EQ(c.folds.col_folds, 2);
  EXPECT_EQ(c.total_cycles, 158421);
  EXPECT_DOUBLE_EQ(c.overall_util_pct, 12100.0 * 64 * 147 * 100 / (158421.0 * 1024));
}

// google.cfg (256x256, WS) on gpt2's QKT GEMM: M = 1024, N = 1024, K = 64.
// WS: Sr = K = 64, Sc = N = 1024, T = M = 1024; folds 1 x 4; L = 2*256 + 256 + 1024 - 2 = 1790;
// total = 4 * 1790 - 1 = 7159; mapping = 64*256 / 65536 = 25 %.
TEST(SystolicCorpus, Gpt2QktOnGoogleCfg) {
  auto cfg = coda::hw::load_scalesim_config(kData + "configs/google.cfg");
  auto topo = coda::workload::load_scalesim_topology(kData + "topologies/gpt2.csv");
  auto c = coda::map::evaluate_systolic(topo.layers.at(0), coda::map::systolic_array(cfg));
  EXPECT_EQ(c.name, "QKT");
  EXPECT_EQ(c.macs, 1024LL * 1024 * 64);
  EXPECT_EQ(c.folds.col_folds, 4);
  EXPECT_EQ(c.total_cycles, 7159);
  EXPECT_DOUBLE_EQ(c.mapping_efficiency_pct, 25.0);
}

}  // namespace
