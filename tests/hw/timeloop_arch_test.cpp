// Import of Timeloop v0.2/v0.3 architectures and Accelergy ERT/ART tables from the exercises.
#include <gtest/gtest.h>

#include <cmath>

#include "coda/core/error.h"
#include "coda/hw/arch_yaml.h"
#include "coda/hw/components.h"
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
  // shared_glb's n_banks: 32 becomes the level's banks; the others have none.
  EXPECT_EQ(a.levels[4].banks, 32);
  EXPECT_EQ(a.levels[0].banks, 1);
  // No wire-energy / tile-width in the exercise: the networks cost 0, as in Timeloop.
  for (const StorageLevel& l : a.levels) EXPECT_EQ(l.noc_hop_energy_pj_per_bit, 0) << l.name;
  EXPECT_EQ(a.compute.word_bits, 16);  // the mac's datawidth
  EXPECT_EQ(a.compute.ops_per_cycle, 1);
}

TEST(TimeloopArch, NetworkEnergyFromWireEnergyAndTileWidth) {
  // Timeloop's legacy network: wire-energy pJ/bit/mm over a tile-width in um.
  Architecture a = parse_timeloop_architecture(
      "architecture:\n  subtree:\n  - name: S\n    local:\n"
      "    - {name: G, class: SRAM, attributes: {depth: 64, n_banks: 4, wire-energy: 0.2, tile-width: 250}}\n"
      "    - {name: \"R[0..3]\", class: regfile, attributes: {depth: 8}}\n"
      "    - {name: \"M[0..3]\", class: intmac, attributes: {datawidth: 8}}\n",
      "a.yaml");
  EXPECT_DOUBLE_EQ(a.levels[1].noc_hop_energy_pj_per_bit, 0.2 * 0.25);
  EXPECT_EQ(a.levels[1].banks, 4);
  EXPECT_EQ(a.compute.word_bits, 8);
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
  a.levels[3].noc_hop_energy_pj_per_bit = 0.0125;
  a.compute.precision = "INT16";
  a.compute.ops_per_cycle = 2;
  std::string y = to_yaml(a);
  EXPECT_NE(y.find("banks: 32"), std::string::npos) << y;
  EXPECT_NE(y.find("noc_hop_energy_pj_per_bit: 0.0125"), std::string::npos) << y;
  EXPECT_NE(y.find("ops_per_cycle: 2"), std::string::npos) << y;
  Architecture b = load(y, "round-trip");
  EXPECT_EQ(b.levels[4].banks, 32);
  EXPECT_EQ(a.levels, b.levels);
  EXPECT_EQ(a.compute, b.compute);
}

// coda's YAML: a level (SRAM, regfile) or a MAC array with a precision that gives no energies is
// costed by the component models at the architecture's node, with the level's banks.
TEST(CodaArchYaml, UnpricedLevelsUseTheComponentModelsWithTheirBanks) {
  ComponentLibrary lib = load_components();
  auto yaml = [](int banks) {
    return "architecture:\n  technology_nm: 45\n  compute: {instances: 4, precision: INT4, ops_per_cycle: 2}\n  levels:\n"
           "  - {name: DRAM, kind: DRAM, read_energy_pj: 100}\n"
           "  - {name: GLB, capacity_words: 65536, word_bits: 16, block_size: 4, banks: " +
           std::to_string(banks) + "}\n  - {name: RF, kind: regfile, capacity_words: 64, instances: 4}\n";
  };
  Architecture one = load(yaml(1), "t.yaml"), four = load(yaml(4), "t.yaml");
  // GLB: 64-bit rows (16 x 4), 16384 deep; read = k w^a d^b B^c, write = 0.921 x read (storage.yaml).
  StorageCost c1 = storage_cost(lib, "SRAM", 64, 16384, 1, 45), c4 = storage_cost(lib, "SRAM", 64, 16384, 4, 45);
  const StorageLevel& g1 = one.levels[1];
  const StorageLevel& g4 = four.levels[1];
  EXPECT_EQ(g4.banks, 4);
  EXPECT_DOUBLE_EQ(g1.read_energy_pj, c1.read_energy_pj);
  EXPECT_DOUBLE_EQ(g4.read_energy_pj, c4.read_energy_pj);
  EXPECT_DOUBLE_EQ(g4.fill_energy_pj, c4.write_energy_pj);
  EXPECT_DOUBLE_EQ(g4.area_um2, c4.area_um2);
  // Closed form of the fit: 4 banks cost 4^0.11796 x the energy and 4^0.34101 x the area of 1.
  EXPECT_NEAR(g4.read_energy_pj / g1.read_energy_pj, std::pow(4.0, 0.11796047), 1e-9);
  EXPECT_NEAR(g4.area_um2 / g1.area_um2, std::pow(4.0, 0.34101495), 1e-9);
  // By the numbers: k 64^a 16384^b from storage.yaml's coefficients.
  EXPECT_NEAR(g1.read_energy_pj, 0.00663876 * std::pow(64, 1.00475463) * std::pow(16384, 0.45241855), 1e-9);
  // The regfile, priced by its own model; DRAM keeps its given energy.
  EXPECT_DOUBLE_EQ(one.levels[0].read_energy_pj, storage_cost(lib, "regfile", 16, 64, 1, 45).read_energy_pj);
  EXPECT_DOUBLE_EQ(one.levels[2].read_energy_pj, 100);
  // The MAC array: 2 INT4 MACs per cycle on a precision-scalable INT8 unit; 4-bit operands.
  EXPECT_EQ(one.compute.word_bits, 4);
  EXPECT_EQ(one.compute.ops_per_cycle, 2);
  EXPECT_DOUBLE_EQ(one.compute.energy_per_mac_pj, scalable_mac_cost(lib, "INT4", 45).energy_pj);
  EXPECT_DOUBLE_EQ(one.compute.area_um2, scalable_mac_cost(lib, "INT4", 45).area_um2);
  // Given energies win; a unit that runs 3 INT4 MACs a cycle does not exist.
  Architecture given = load("architecture:\n  compute: {precision: INT8, energy_per_mac_pj: 1.5}\n  levels:\n"
                            "  - {name: G, capacity_words: 64, read_energy_pj: 2}\n", "t.yaml");
  EXPECT_DOUBLE_EQ(given.levels[0].read_energy_pj, 2);
  EXPECT_DOUBLE_EQ(given.levels[0].fill_energy_pj, 0);
  EXPECT_DOUBLE_EQ(given.compute.energy_per_mac_pj, 1.5);
  EXPECT_EQ(given.compute.word_bits, 8);
  EXPECT_THROW(load("architecture:\n  compute: {precision: INT4, ops_per_cycle: 3}\n  levels:\n  - {name: G}\n", "t.yaml"),
               InvalidError);
  EXPECT_THROW(load("architecture:\n  levels:\n  - {name: G, capacity_words: 8, banks: 0}\n", "t.yaml"), InvalidError);
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

// A NUL in a name (found by the arch_yaml fuzzer) did not survive hw::to_yaml -> hw::load: YAML text
// with control characters other than tab, LF and CR is refused, naming the line and the byte.
TEST(CodaArchYaml, ControlCharactersAreOneLineErrors) {
  const std::string nul = std::string("architecture:\n  name: a") + '\0' + "b\n  levels:\n  - {name: G}\n";
  try {
    load(nul, "t.yaml");
    FAIL() << "a NUL byte was accepted";
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("t.yaml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("line 2: control character 0x00"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load("architecture:\n  levels:\n  - {name: \"G\x7f\"}\n", "t.yaml"), ParseError);
  // Tabs and CRLF line ends stay fine.
  EXPECT_EQ(load("architecture:\r\n  name: a\tb\r\n  levels:\r\n  - {name: G}\r\n", "t.yaml").name, "a\tb");
}

}  // namespace
}  // namespace coda::hw
