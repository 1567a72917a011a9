// Mapping I/O: Timeloop's mapping YAML in and out, and map.txt printed as Timeloop prints it.
#include <gtest/gtest.h>

#include "coda/core/error.h"
#include "coda/map/evaluator.h"
#include "coda/map/map_txt.h"
#include "exercise.h"

namespace coda::map {
namespace {

TEST(MapTxt, MatchesTimeloopsPrintout) {
  // Timeloop's ref-output/ws/timeloop-model.map.txt for exercise 01.
  testing::Exercise e = testing::load_exercise("01-model-conv1d-2level", "conv1d.prob.yaml", "2level.arch.yaml");
  Mapping ws = testing::load_mapping(e, "01-model-conv1d-2level", "conv1d-2level-ws.map.yaml");
  EXPECT_EQ(to_map_txt(e.problem, e.arch, ws),
            "\nMainMemory [ Weights:3 Inputs:18 Outputs:16 ] \n---------------------------------------------\n"
            "| for R in [0:3)\n\nBuffer [ Weights:1 Inputs:16 Outputs:16 ] \n-----------------------------------------\n"
            "|   for P in [0:16)\n\n");
  // ref-output/cp/timeloop-model.map.txt for exercise 04: a unit loop for an idle level, a spatial loop.
  const char* dir = "04-model-conv1d+oc-3levelspatial";
  testing::Exercise e4 = testing::load_exercise(dir, "conv1d+oc+ic.prob.yaml", "3levelspatial.arch.yaml");
  Mapping cp = testing::load_mapping(e4, dir, "conv1d+oc+ic-3levelspatial-cp-ws.map.yaml");
  EXPECT_EQ(to_map_txt(e4.problem, e4.arch, cp),
            "\nMainMemory [ Weights:3072 Inputs:576 Outputs:512 ] \n--------------------------------------------------\n"
            "| for P in [0:1)\n\nGlobalBuffer [ Weights:3072 Inputs:576 Outputs:512 ] \n"
            "----------------------------------------------------\n|   for C in [0:2)\n|     for K in [0:32)\n"
            "|       for R in [0:3)\n|         for C in [0:16) (Spatial-X)\n\n"
            "RegisterFile [ Weights:1 Inputs:16 Outputs:16 ] \n-----------------------------------------------\n"
            "|           for P in [0:16)\n\n");
}

TEST(MappingYaml, RoundTripsThroughTimeloopsForm) {
  const char* dir = "03-model-conv1d+oc-3level";
  testing::Exercise e = testing::load_exercise(dir, "conv1d+oc.prob.yaml", "3level.arch.yaml");
  Mapping m = testing::load_mapping(e, dir, "conv1d+oc-3level-bypass.map.yaml");
  EXPECT_EQ(m.levels[1].keep, 0b011u);  // GlobalBuffer keeps Weights, Inputs
  EXPECT_EQ(m.levels[0].keep, 0b100u);  // RegisterFile keeps Outputs
  EXPECT_EQ(m.levels[0].permutation, (std::vector<int>{1, 2, 0}));  // "RPK" over dims [K, R, P]
  std::string text = to_timeloop_mapping_yaml(m, e.problem, e.arch);
  EXPECT_EQ(parse_timeloop_mapping(text, e.problem, e.arch, "again"), m) << text;
}

TEST(MappingYaml, SpatialSplitPutsDimensionsOnXOrY) {
  const char* dir = "04-model-conv1d+oc-3levelspatial";
  testing::Exercise e = testing::load_exercise(dir, "conv1d+oc+ic.prob.yaml", "3levelspatial.arch.yaml");
  Mapping kp = testing::load_mapping(e, dir, "conv1d+oc+ic-3levelspatial-kp-ws.map.yaml");
  EXPECT_EQ(kp.levels[1].spatial, (std::vector<int64_t>{1, 16, 1, 1}));  // dims C K R P
  EXPECT_EQ(kp.levels[1].spatial_y, (std::vector<uint8_t>{0, 0, 0, 0}));
  Mapping again = parse_timeloop_mapping(to_timeloop_mapping_yaml(kp, e.problem, e.arch), e.problem, e.arch, "again");
  EXPECT_EQ(again, kp);
}

TEST(MappingYaml, SpatialFactorsAtALevelWithoutFanoutAreWrittenBack) {
  // Found by the timeloop_yaml fuzzer: a spatial directive at a level that has no fanout parses (the
  // evaluator reports the mapping invalid), and was dropped when written back.
  const char* dir = "03-model-conv1d+oc-3level";
  testing::Exercise e = testing::load_exercise(dir, "conv1d+oc.prob.yaml", "3level.arch.yaml");
  ASSERT_EQ(hw::fanout(e.arch, 1), 1);
  Mapping m = parse_timeloop_mapping(
      "mapping:\n- {target: MainMemory, type: temporal, factors: K=1 R=1 P=1}\n"
      "- {target: GlobalBuffer, type: temporal, factors: K=2 R=3 P=1}\n"
      "- {target: GlobalBuffer, type: spatial, factors: K=16 R=1 P=1}\n"
      "- {target: RegisterFile, type: temporal, factors: K=1 R=1 P=16}\n",
      e.problem, e.arch, "m.yaml");
  EXPECT_FALSE(evaluate(e.problem, e.arch, m).status.ok());
  std::string text = to_timeloop_mapping_yaml(m, e.problem, e.arch);
  EXPECT_EQ(parse_timeloop_mapping(text, e.problem, e.arch, "again"), m) << text;
}

TEST(MappingYamlErrors, NameTheTargetDimensionOrDataSpace) {
  testing::Exercise e = testing::load_exercise("01-model-conv1d-2level", "conv1d.prob.yaml", "2level.arch.yaml");
  auto parse = [&](const char* text) { return parse_timeloop_mapping(text, e.problem, e.arch, "m.yaml"); };
  try {
    parse("mapping:\n- {target: L2, type: temporal, factors: R=3 P=16}\n");
    FAIL();
  } catch (const ParseError& err) {
    EXPECT_NE(err.message().find("target L2"), std::string::npos) << err.what();
  }
  try {
    parse("mapping:\n- {target: MainMemory, type: temporal, factors: R=3 Q=16}\n");
    FAIL();
  } catch (const ParseError& err) {
    EXPECT_NE(err.message().find("Q"), std::string::npos) << err.what();
  }
  try {
    parse("mapping:\n- {target: MainMemory, type: temporal, factors: R=3 P=8}\n");
    FAIL();
  } catch (const InvalidError& err) {
    EXPECT_NE(err.message().find("dimension P"), std::string::npos) << err.what();
  }
  try {
    parse("mapping:\n- {target: MainMemory, type: temporal, factors: R=3 P=16}\n- {target: Buffer, type: bypass, keep: [Psums]}\n");
    FAIL();
  } catch (const ParseError& err) {
    EXPECT_NE(err.message().find("Psums"), std::string::npos) << err.what();
  }
  EXPECT_THROW(parse("mapping: {target: [\n"), ParseError);
  EXPECT_THROW(parse("mapping:\n- {target: MainMemory, type: magic}\n"), UnsupportedError);
}

}  // namespace
}  // namespace coda::map
