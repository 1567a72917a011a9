// The fixed mappings of Timeloop's exercises 00-04 evaluate to the access counts Timeloop reports.
//
// Expected counts: Timeloop's reference outputs for these exact inputs (timeloop-model.stats.txt in
// exercises/timeloop/*/ref-output/ of Accelergy-Project/timeloop-accelergy-exercises): "Scalar
// reads / fills / updates (per-instance)" and "Utilized capacity" per level and data space.
// Expected energies re-price those counts with the ERT in tests/data/timeloop (Timeloop v0.3:
// each access costs the level's most expensive ERT action; ceil(accesses / block-size) vector
// accesses per data space): e.g. exercise 02-tiled, 8069.79 pJ, is Timeloop's own total for that
// ERT; the others used a slightly different MAC energy (0.603 pJ) in the reference run.
#include <gtest/gtest.h>

#include <map>

#include "coda/map/evaluator.h"
#include "exercise.h"

namespace coda::map {
namespace {

struct Counts {
  int64_t reads, fills, updates, tile;
};

struct Case {
  const char* name;
  const char* dir;
  const char* prob;
  const char* arch;
  const char* map;
  // level -> data space -> counts; a data space the level does not keep is absent.
  std::map<std::string, std::map<std::string, Counts>> expect;
  int64_t cycles;
  double energy_pj;
  int64_t instances_level0 = 1;
};

std::vector<Case> cases() {
  const char* e0 = "00-model-conv1d-1level";
  const char* e1 = "01-model-conv1d-2level";
  const char* e2 = "02-model-conv1d+oc-2level";
  const char* e3 = "03-model-conv1d+oc-3level";
  const char* e4 = "04-model-conv1d+oc-3levelspatial";
  std::map<std::string, Counts> dram3 = {{"Weights", {96, 0, 0, 96}}, {"Inputs", {18, 0, 0, 18}}, {"Outputs", {0, 0, 512, 512}}};
  std::map<std::string, Counts> dram4 = {{"Weights", {3072, 0, 0, 3072}}, {"Inputs", {576, 0, 0, 576}},
                                         {"Outputs", {0, 0, 512, 512}}};
  std::map<std::string, Counts> mm1 = {{"Weights", {3, 0, 0, 3}}, {"Inputs", {18, 0, 0, 18}}, {"Outputs", {0, 0, 16, 16}}};
  return {
      {"ex00", e0, "conv1d.prob.yaml", "1level.arch.yaml", "conv1d-1level.map.yaml",
       {{"Buffer", {{"Weights", {48, 0, 0, 3}}, {"Inputs", {48, 0, 0, 18}}, {"Outputs", {32, 0, 48, 16}}}}},
       48, 100.848},
      {"ex01-ws", e1, "conv1d.prob.yaml", "2level.arch.yaml", "conv1d-2level-ws.map.yaml",
       {{"Buffer", {{"Weights", {48, 3, 0, 1}}, {"Inputs", {48, 18, 0, 16}}, {"Outputs", {32, 16, 48, 16}}}},
        {"MainMemory", mm1}},
       48, 355.656},
      {"ex01-os", e1, "conv1d.prob.yaml", "2level.arch.yaml", "conv1d-2level-os.map.yaml",
       {{"Buffer", {{"Weights", {48, 3, 0, 3}}, {"Inputs", {48, 18, 0, 3}}, {"Outputs", {32, 16, 48, 1}}}},
        {"MainMemory", mm1}},
       48, 355.656},
      {"ex02-untiled", e2, "conv1d+oc.prob.yaml", "2level.arch.yaml", "conv1d+oc-2level-os.map.yaml",
       {{"Buffer", {{"Weights", {1536, 96, 0, 3}}, {"Inputs", {1536, 576, 0, 3}}, {"Outputs", {1024, 512, 1536, 1}}}},
        {"MainMemory", {{"Weights", {96, 0, 0, 96}}, {"Inputs", {576, 0, 0, 18}}, {"Outputs", {0, 0, 512, 512}}}}},
       1536, 9626.36},
      {"ex02-tiled", e2, "conv1d+oc.prob.yaml", "2level.arch.yaml", "conv1d+oc-2level-os-tiled.map.yaml",
       {{"Buffer", {{"Weights", {1536, 96, 0, 6}}, {"Inputs", {1536, 288, 0, 3}}, {"Outputs", {1024, 512, 1536, 2}}}},
        {"MainMemory", {{"Weights", {96, 0, 0, 96}}, {"Inputs", {288, 0, 0, 18}}, {"Outputs", {0, 0, 512, 512}}}}},
       1536, 8069.792},
      {"ex03", e3, "conv1d+oc.prob.yaml", "3level.arch.yaml", "conv1d+oc-3level.map.yaml",
       {{"RegisterFile", {{"Weights", {1536, 96, 0, 6}}, {"Inputs", {1536, 288, 0, 3}}, {"Outputs", {1024, 512, 1536, 2}}}},
        {"GlobalBuffer", {{"Weights", {96, 96, 0, 96}}, {"Inputs", {288, 18, 0, 18}}, {"Outputs", {0, 512, 512, 512}}}},
        {"MainMemory", dram3}},
       1536, 49500.976},
      {"ex03-bypass", e3, "conv1d+oc.prob.yaml", "3level.arch.yaml", "conv1d+oc-3level-bypass.map.yaml",
       {{"RegisterFile", {{"Outputs", {1024, 512, 1536, 2}}}},
        {"GlobalBuffer", {{"Weights", {1536, 96, 0, 96}}, {"Inputs", {1536, 18, 0, 18}}}},
        {"MainMemory", dram3}},
       1536, 53398.436},
      {"ex04-kp", e4, "conv1d+oc+ic.prob.yaml", "3levelspatial.arch.yaml", "conv1d+oc+ic-3levelspatial-kp-ws.map.yaml",
       {{"RegisterFile", {{"Weights", {3072, 192, 0, 1}}, {"Inputs", {3072, 1152, 0, 16}}, {"Outputs", {3040, 1024, 3072, 16}}}},
        {"GlobalBuffer", {{"Weights", {3072, 3072, 0, 3072}}, {"Inputs", {1152, 576, 0, 576}},
                          {"Outputs", {15872, 512, 16384, 512}}}},
        {"MainMemory", dram4}},
       3072, 522726.102, 16},
      {"ex04-cp", e4, "conv1d+oc+ic.prob.yaml", "3levelspatial.arch.yaml", "conv1d+oc+ic-3levelspatial-cp-ws.map.yaml",
       {{"RegisterFile", {{"Weights", {3072, 192, 0, 1}}, {"Inputs", {3072, 1152, 0, 16}}, {"Outputs", {2560, 1024, 3072, 16}}}},
        {"GlobalBuffer", {{"Weights", {3072, 3072, 0, 3072}}, {"Inputs", {18432, 576, 0, 576}},
                          {"Outputs", {512, 512, 1024, 512}}}},
        {"MainMemory", dram4}},
       3072, 476297.202, 16},
  };
}

class TimeloopExercise : public ::testing::TestWithParam<Case> {};

TEST_P(TimeloopExercise, MatchesTimeloopAccessCounts) {
  const Case& c = GetParam();
  testing::Exercise e = testing::load_exercise(c.dir, c.prob, c.arch);
  Mapping m = testing::load_mapping(e, c.dir, c.map);
  Cost cost = evaluate(e.problem, e.arch, m);
  ASSERT_TRUE(cost.status.ok()) << describe(cost.status, cost, e.problem, e.arch);
  for (int i = 0; i < e.arch.num_levels(); ++i) {
    const std::string& level = e.arch.levels[static_cast<size_t>(i)].name;
    ASSERT_TRUE(c.expect.count(level)) << level;
    for (size_t s = 0; s < e.problem.data_spaces.size(); ++s) {
      const std::string& ds = e.problem.data_spaces[s].name;
      const DataSpaceCost& got = cost.levels[static_cast<size_t>(i)].data_spaces[s];
      auto it = c.expect.at(level).find(ds);
      if (it == c.expect.at(level).end()) {
        EXPECT_FALSE(got.kept) << level << " " << ds;
        continue;
      }
      EXPECT_TRUE(got.kept) << level << " " << ds;
      EXPECT_EQ(got.reads, it->second.reads) << level << " " << ds << " reads";
      EXPECT_EQ(got.fills, it->second.fills) << level << " " << ds << " fills";
      EXPECT_EQ(got.updates, it->second.updates) << level << " " << ds << " updates";
      EXPECT_EQ(got.tile_words, it->second.tile) << level << " " << ds << " utilized capacity";
    }
  }
  EXPECT_EQ(cost.levels[0].utilized_instances, c.instances_level0);
  EXPECT_EQ(cost.cycles, c.cycles);
  EXPECT_NEAR(cost.energy_pj, c.energy_pj, 1e-6 * c.energy_pj);
  EXPECT_DOUBLE_EQ(cost.utilization, 1.0);
}

INSTANTIATE_TEST_SUITE_P(Exercises, TimeloopExercise, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           std::string n = i.param.name;
                           for (char& ch : n) if (ch == '-') ch = '_';
                           return n;
                         });

TEST(TimeloopExerciseArea, ArtAreasTimesInstances) {
  testing::Exercise e = testing::load_exercise("02-model-conv1d+oc-2level", "conv1d+oc.prob.yaml", "2level.arch.yaml");
  Mapping m = testing::load_mapping(e, "02-model-conv1d+oc-2level", "conv1d+oc-2level-os-tiled.map.yaml");
  // Timeloop: "Total topology area: 748186.09 um^2".
  EXPECT_NEAR(evaluate(e.problem, e.arch, m).area_um2, 748186.09, 1e-6);
}

}  // namespace
}  // namespace coda::map
