// Hand-worked access counts for a GEMM on three levels with a 2-PE spatial level, and the cost
// model's expected outcomes (a tile that does not fit, a fan-out that is too wide) and errors.
#include <gtest/gtest.h>

#include "coda/core/error.h"
#include "coda/map/evaluator.h"

namespace coda::map {
namespace {

// Z[m][n] += A[m][k] * B[k][n], M = N = K = 4.
workload::Problem gemm() {
  workload::Problem p;
  p.name = "GEMM";
  p.dims = {"M", "N", "K"};
  p.bounds = {4, 4, 4};
  p.data_spaces = {{"A", {{{0, -1}}, {{2, -1}}}, false, 8},
                   {"B", {{{2, -1}}, {{1, -1}}}, false, 8},
                   {"Z", {{{0, -1}}, {{1, -1}}}, true, 32}};
  return p;
}

// DRAM (100 pJ/word) > GLB (64 words, 10 pJ/word, reads 2 words/cycle) > 2 x RF (16 words, 1 pJ) > 2 MACs (2 pJ).
hw::StorageLevel level(const char* name, int64_t capacity, int64_t instances, double pj) {
  hw::StorageLevel l;
  l.name = name;
  l.capacity_words = capacity;
  l.instances = instances;
  l.read_energy_pj = l.fill_energy_pj = l.update_energy_pj = pj;
  return l;
}

hw::Architecture three_levels() {
  hw::Architecture a;
  hw::StorageLevel glb = level("GLB", 64, 1, 10);
  glb.read_bandwidth = 2;
  glb.write_bandwidth = 4;
  hw::StorageLevel dram = level("DRAM", 0, 1, 100);
  dram.kind = "DRAM";
  a.levels = {level("RF", 16, 2, 1), glb, dram};
  a.compute.name = "MAC";
  a.compute.instances = 2;
  a.compute.energy_per_mac_pj = 2;
  hw::check(a, "test");
  return a;
}

// RF: for K in 4 | GLB: for N in 2 { for M in 2 { spatial M in 2 } } | DRAM: for N in 2.
Mapping gemm_mapping() {
  Mapping m = Mapping::trivial(3, 3, 3);
  m.levels[0].temporal = {1, 1, 4};
  m.levels[1].spatial = {2, 1, 1};
  m.levels[1].temporal = {2, 2, 1};
  m.levels[1].permutation = {0, 1, 2};  // M inside N
  m.levels[2].temporal = {1, 2, 1};
  return m;
}

TEST(CostModelGemm, HandWorkedThreeLevels) {
  workload::Problem p = gemm();
  hw::Architecture a = three_levels();
  Cost c = evaluate(p, a, gemm_mapping());
  ASSERT_TRUE(c.status.ok());
  // Each MAC runs K4 x M2 x N2 x N2 = 32 iterations; 2 MACs do the 64 MACs.
  EXPECT_EQ(c.compute_cycles, 32);
  EXPECT_EQ(c.mac_instances, 2);
  const auto& rf = c.levels[0].data_spaces;
  const auto& glb = c.levels[1].data_spaces;
  const auto& dram = c.levels[2].data_spaces;
  // RF tile: one m, one n, all 4 k: A 4 words, B 4, Z 1.
  EXPECT_EQ(rf[0].tile_words, 4);
  EXPECT_EQ(rf[1].tile_words, 4);
  EXPECT_EQ(rf[2].tile_words, 1);
  // Every MAC iteration reads A and B and updates Z in the RF: 32 each per PE.
  EXPECT_EQ(rf[0].reads, 32);
  EXPECT_EQ(rf[1].reads, 32);
  EXPECT_EQ(rf[2].updates, 32);
  // A PE sees 2 (M) x 4 (N) = 8 outputs; each first update writes without reading: 32 - 8 = 24.
  EXPECT_EQ(rf[2].reads, 24);
  // Loops above the RF, innermost first: M2 (GLB), N2 (GLB), N2 (DRAM).
  // A[m][k] changes with the innermost M: a new 4-word row on each of the 8 steps -> 32 fills.
  EXPECT_EQ(rf[0].fills, 32);
  // B[k][n] is reused across the M loop and refetched per n: 4 columns x 4 words -> 16.
  EXPECT_EQ(rf[1].fills, 16);
  // Z: 8 distinct outputs per PE, each filled once (Timeloop counts the first fill too).
  EXPECT_EQ(rf[2].fills, 8);
  // GLB: the spatial M2 splits A and Z between the PEs but multicasts B to both.
  EXPECT_EQ(glb[0].distinct, 2);
  EXPECT_EQ(glb[1].distinct, 1);
  EXPECT_EQ(glb[1].fanout, 2);
  EXPECT_EQ(glb[0].reads, 2 * 32);
  EXPECT_EQ(glb[1].reads, 16);
  EXPECT_EQ(glb[2].updates, 2 * 8);
  // GLB partition of Z: M4 x N2 tile x N2 above = 16 = its updates, so no read-modify-write.
  EXPECT_EQ(glb[2].reads, 0);
  EXPECT_EQ(glb[0].tile_words, 16);
  EXPECT_EQ(glb[1].tile_words, 8);
  EXPECT_EQ(glb[2].tile_words, 8);
  // Above the GLB only DRAM's N2 iterates: A (no n) is fetched once, B and Z twice over.
  EXPECT_EQ(glb[0].fills, 16);
  EXPECT_EQ(glb[1].fills, 16);
  EXPECT_EQ(glb[2].fills, 16);
  EXPECT_EQ(dram[0].reads, 16);
  EXPECT_EQ(dram[1].reads, 16);
  EXPECT_EQ(dram[2].updates, 16);
  EXPECT_EQ(dram[2].reads, 0);
  // Energy: RF (64 + 48 + 64) x 2 PEs x 1 pJ, GLB 144 x 10, DRAM 48 x 100, MACs 64 x 2.
  EXPECT_DOUBLE_EQ(c.levels[0].energy_pj, 352);
  EXPECT_DOUBLE_EQ(c.levels[1].energy_pj, 1440);
  EXPECT_DOUBLE_EQ(c.levels[2].energy_pj, 4800);
  EXPECT_DOUBLE_EQ(c.mac_energy_pj, 128);
  EXPECT_DOUBLE_EQ(c.energy_pj, 6720);
  EXPECT_DOUBLE_EQ(c.pj_per_mac(), 105);
  // The GLB serves 80 words in 32 cycles at 2 words/cycle: throttled to 0.8, 40 cycles.
  EXPECT_DOUBLE_EQ(c.levels[1].slowdown, 0.8);
  EXPECT_EQ(c.cycles, 40);
  EXPECT_DOUBLE_EQ(c.utilization, 64.0 / (40 * 2));
}

TEST(CostModelGemm, BypassingTheGlbSendsDramReadsStraightToThePes) {
  Mapping m = gemm_mapping();
  m.levels[1].keep = 0b011;  // Z bypasses the GLB: RF partial sums go to DRAM
  Cost c = evaluate(gemm(), three_levels(), m);
  ASSERT_TRUE(c.status.ok());
  EXPECT_FALSE(c.levels[1].data_spaces[2].kept);
  EXPECT_EQ(c.levels[2].data_spaces[2].updates, 16);  // 8 per PE x 2 PEs, no longer held in the GLB
  EXPECT_EQ(c.levels[2].data_spaces[2].fanout, 2);
}

TEST(CostModelOutcomes, TileThatDoesNotFitIsAStatusNamingLevelAndDataSpace) {
  hw::Architecture a = three_levels();
  a.levels[0].capacity_words = 8;  // A 4 + B 4 + Z 1 = 9 words
  workload::Problem p = gemm();
  Cost c = evaluate(p, a, gemm_mapping());
  EXPECT_EQ(c.status.fail, Fail::capacity);
  EXPECT_EQ(c.status.level, 0);
  EXPECT_EQ(c.status.needed, 9);
  std::string why = describe(c.status, c, p, a);
  EXPECT_NE(why.find("level RF"), std::string::npos) << why;
  EXPECT_NE(why.find("A 4 + B 4 + Z 1"), std::string::npos) << why;
}

TEST(CostModelOutcomes, SpatialLoopsWiderThanTheFanout) {
  Mapping m = gemm_mapping();
  m.levels[1].spatial = {4, 1, 1};
  m.levels[1].temporal = {1, 2, 1};
  workload::Problem p = gemm();
  hw::Architecture a = three_levels();
  Cost c = evaluate(p, a, m);
  EXPECT_EQ(c.status.fail, Fail::fanout_x);
  EXPECT_NE(describe(c.status, c, p, a).find("level GLB"), std::string::npos);
}

TEST(CostModelErrors, MalformedMappingsNameTheLevelOrDimension) {
  workload::Problem p = gemm();
  hw::Architecture a = three_levels();
  Mapping m = gemm_mapping();
  m.levels[2].temporal = {1, 1, 1};  // N covered 2 of 4
  try {
    evaluate(p, a, m);
    FAIL();
  } catch (const InvalidError& e) {
    EXPECT_NE(e.message().find("dimension N"), std::string::npos) << e.what();
  }
  m = gemm_mapping();
  m.levels[2].keep = 0b101;  // DRAM must keep B
  try {
    evaluate(p, a, m);
    FAIL();
  } catch (const InvalidError& e) {
    EXPECT_NE(e.message().find("level DRAM"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("B bypasses"), std::string::npos) << e.what();
  }
  m = gemm_mapping();
  m.levels[0].permutation = {0, 0, 1};
  EXPECT_THROW(evaluate(p, a, m), InvalidError);
  m = gemm_mapping();
  m.levels[2].temporal[0] = 5;  // more than M's bound of 4
  try {
    evaluate(p, a, m);
    FAIL();
  } catch (const InvalidError& e) {
    EXPECT_NE(e.message().find("level DRAM: a factor of M exceeds its bound 4"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace coda::map
