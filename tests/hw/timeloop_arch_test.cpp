// Import of Timeloop v0.2/v0.3 architectures and Accelergy ERT/ART tables from the exercises.
#include <gtest/gtest.h>

#include "coda/core/error.h"
#include "coda/hw/arch_yaml.h"
#include "coda/hw/timeloop_arch.h"
#include "coda/core/file_io.h"
#include "coda/hw/yaml_util.h"

namespace coda::hw {
namespace {

std::string data(const std::string& rel) { return read_file(std::string(CODA_SOURCE_DIR) + "/tests/data/timeloop/" + rel); }

Architecture eyeriss() {
  Architecture a = parse_timeloop_architecture(data("06-mapper-convlayer-eyeriss/arch/eyeriss_like.yaml"), "eyeriss");
  apply_ert(a, data("06-mapper-convlayer-eyeriss/arch/ERT.yaml"), "ERT");
  apply_art(a, data("06-mapper-convlayer-eyeriss/arch/ART.yaml"), "ART");
  return a;
}

TEST(TimeloopArch, EyerissHierarchyInnermostFirst) {
  Architecture a = eyeriss();
  ASSERT_EQ(a.num_levels(), 6);
  const char* names[] = {"psum_spad", "weights_spad", "ifmap_spad", "DummyBuffer", "shared_glb", "DRAM"};
  const int64_t instances[] = {168, 168, 168, 14, 1, 1};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(a.levels[i].name, names[i]);
    EXPECT_EQ(a.levels[i].instances, instances[i]) << names[i];
  }
  EXPECT_EQ(a.compute.name, "mac");
  EXPECT_EQ(a.compute.instances, 168);
  // memory_depth x block-size; DRAM has no depth and is unbounded.
  EXPECT_EQ(a.levels[4].capacity_words, 16384 * 4);
  EXPECT_EQ(a.levels[0].capacity_words, 16);
  EXPECT_EQ(a.levels[1].capacity_words, 192);
  EXPECT_EQ(a.levels[2].capacity_words, 12);
  EXPECT_TRUE(a.levels[5].unbounded());
  EXPECT_EQ(a.levels[4].block_size, 4);
  EXPECT_EQ(a.levels[4].cluster_size, 1);  // width 64 / (16 bits x 4 words)
  EXPECT_EQ(a.levels[4].read_bandwidth, 16);
  EXPECT_EQ(a.levels[0].write_bandwidth, 2);
  // 14 DummyBuffers along X under the global buffer, then 12 PEs along Y under each.
  EXPECT_EQ(fanout(a, 4), 14);
  EXPECT_EQ(fanout_x(a, 4), 14);
  EXPECT_EQ(fanout_y(a, 4), 1);
  EXPECT_EQ(fanout(a, 3), 12);
  EXPECT_EQ(fanout_x(a, 3), 1);
  EXPECT_EQ(fanout_y(a, 3), 12);
  EXPECT_EQ(fanout(a, 0), 1);
}

TEST(TimeloopArch, ErtTakesTheMostExpensiveActionLikeTimeloopV03) {
  Architecture a = eyeriss();
  EXPECT_DOUBLE_EQ(a.compute.energy_per_mac_pj, 2.2);  // mac_random
  EXPECT_DOUBLE_EQ(a.levels[5].read_energy_pj, 512);
  // shared_glb: write (address_delta up to 32 banks, data_delta 1) 75.215 > read 74.144.
  EXPECT_DOUBLE_EQ(a.levels[4].read_energy_pj, 75.215);
  EXPECT_DOUBLE_EQ(a.levels[4].fill_energy_pj, 75.215);
  EXPECT_DOUBLE_EQ(a.levels[1].update_energy_pj, 1.586);
  EXPECT_DOUBLE_EQ(a.levels[4].area_um2, 1162549.0);
  EXPECT_DOUBLE_EQ(a.compute.area_um2, 1239.5);

  Architecture b = parse_timeloop_architecture(data("06-mapper-convlayer-eyeriss/arch/eyeriss_like.yaml"), "eyeriss");
  apply_ert(b, data("06-mapper-convlayer-eyeriss/arch/ERT.yaml"), "ERT", {.per_action = true});
  EXPECT_DOUBLE_EQ(b.levels[4].read_energy_pj, 74.144);
  EXPECT_DOUBLE_EQ(b.levels[4].fill_energy_pj, 75.215);
}

TEST(TimeloopArch, SpatialArrayOfExercise4) {
  Architecture a = parse_timeloop_architecture(data("04-model-conv1d+oc-3levelspatial/arch/3levelspatial.arch.yaml"), "ex4");
  apply_art(a, data("04-model-conv1d+oc-3levelspatial/arch/ART.yaml"), "ART");
  ASSERT_EQ(a.num_levels(), 3);
  EXPECT_EQ(a.levels[0].name, "RegisterFile");
  EXPECT_EQ(a.levels[0].instances, 16);
  EXPECT_EQ(a.compute.instances, 16);
  EXPECT_EQ(fanout(a, 1), 16);
  EXPECT_EQ(a.levels[1].capacity_words, 8192 * 32);
  EXPECT_EQ(a.levels[2].kind, "DRAM");
  EXPECT_DOUBLE_EQ(a.levels[0].area_um2, 887.84);
  EXPECT_DOUBLE_EQ(a.area_um2(), 16 * 887.84 + 16 * 332.25 + 679274.0 + 1);
}

TEST(TimeloopArch, CodaYamlRoundTrip) {
  Architecture a = eyeriss();
  Architecture b = load(to_yaml(a), "round-trip");
  EXPECT_EQ(a.levels, b.levels);
  EXPECT_EQ(a.compute, b.compute);
}

TEST(TimeloopArch, ReferenceTableNames) {
  EXPECT_EQ(reference_table_component("system.eyeriss.PE[0..167].mac"), "mac");
  EXPECT_EQ(reference_table_component("System.Chip.PE.RegisterFile[0..15]"), "RegisterFile");
  EXPECT_EQ(reference_table_component("System.MainMemory"), "MainMemory");
}

TEST(TimeloopArchErrors, OneLineMessagesNameTheProblem) {
  try {
    parse_timeloop_architecture("architecture:\n  subtree: [ {name: S, local: [ {name: X, class: frobnicator} ] } ]\n", "a.yaml");
    FAIL();
  } catch (const UnsupportedError& e) {
    EXPECT_EQ(e.where(), "a.yaml");
    EXPECT_NE(e.message().find("frobnicator"), std::string::npos);
  }
  try {
    parse_timeloop_architecture("architecture: [\n", "bad.yaml");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(e.message().find("line"), std::string::npos);
  }
  EXPECT_THROW(parse_timeloop_architecture(
                   "architecture:\n  subtree:\n  - name: S\n    local:\n    - {name: B, class: SRAM, attributes: {depth: x}}\n"
                   "    - {name: M, class: intmac}\n",
                   "a.yaml"),
               ParseError);
  // 16 register files cannot sit under 3 global buffers.
  EXPECT_THROW(parse_timeloop_architecture("architecture:\n  subtree:\n  - name: S\n    local:\n"
                                           "    - {name: \"G[0..2]\", class: SRAM, attributes: {depth: 8}}\n"
                                           "    - {name: \"R[0..15]\", class: regfile, attributes: {depth: 8}}\n"
                                           "    - {name: \"M[0..15]\", class: intmac}\n",
                                           "a.yaml"),
               InvalidError);
}

TEST(CodaArchYaml, RejectsUnknownKeysAndTimeloopTrees) {
  const char* ok = "architecture:\n  name: t\n  compute: {instances: 4, energy_per_mac_pj: 1}\n  levels:\n"
                   "  - {name: DRAM, kind: DRAM, read_energy_pj: 100}\n  - {name: RF, capacity_words: 64, instances: 4}\n";
  Architecture a = load(ok, "t.yaml");
  EXPECT_EQ(a.levels[0].name, "RF");
  EXPECT_EQ(fanout(a, 1), 4);
  EXPECT_THROW(load("architecture:\n  levels:\n  - {name: RF, capacty_words: 64}\n", "t.yaml"), ParseError);
  EXPECT_THROW(load("architecture:\n  subtree: []\n", "t.yaml"), ParseError);
  EXPECT_THROW(load("architecture:\n  levels:\n  - {name: A}\n  - {name: A}\n", "t.yaml"), InvalidError);
}

}  // namespace
}  // namespace coda::hw
