// The network (NoC) term of the cost model and MAC units that complete several MACs per cycle,
// against counts worked by hand in the comments (docs/cost_model.md, "Network" and "Cycles").
#include <gtest/gtest.h>

#include <cmath>

#include "coda/hw/templates.h"
#include "coda/map/evaluator.h"
#include "coda/map/report.h"
#include "coda/map/report_json.h"

namespace coda::map {
namespace {

// Z[m][n] += A[m][k] * B[k][n], M = N = K = 4.
workload::Problem gemm(const char* a = "A", const char* b = "B", const char* z = "Z") {
  workload::Problem p;
  p.name = "GEMM";
  p.dims = {"M", "N", "K"};
  p.bounds = {4, 4, 4};
  p.data_spaces = {{a, {{{0, -1}}, {{2, -1}}}, false, 8},
                   {b, {{{2, -1}}, {{1, -1}}}, false, 8},
                   {z, {{{0, -1}}, {{1, -1}}}, true, 8}};
  return p;
}

// GLB (backing store, 8-bit words, 1 pJ per access, 0.5 pJ per bit per hop) over 4 RFs (16 words,
// 0.25 pJ) along X over 4 MACs (2 pJ).
hw::Architecture two_levels(double hop_pj_per_bit) {
  hw::Architecture a;
  hw::StorageLevel rf;
  rf.name = "RF";
  rf.capacity_words = 16;
  rf.word_bits = 8;
  rf.instances = 4;
  rf.read_energy_pj = rf.fill_energy_pj = rf.update_energy_pj = 0.25;
  hw::StorageLevel glb;
  glb.name = "GLB";
  glb.word_bits = 8;
  glb.read_energy_pj = glb.fill_energy_pj = glb.update_energy_pj = 1;
  glb.noc_hop_energy_pj_per_bit = hop_pj_per_bit;
  a.levels = {rf, glb};
  a.compute.instances = 4;
  a.compute.energy_per_mac_pj = 2;
  hw::check(a, "test");
  return a;
}

// RF: for K in 4 | GLB: for N in 4, spatial M in 4 (one m per PE).
Mapping gemm_mapping() {
  Mapping m = Mapping::trivial(2, 3, 3);
  m.levels[0].temporal = {1, 1, 4};
  m.levels[1].spatial = {4, 1, 1};
  m.levels[1].temporal = {1, 4, 1};
  return m;
}

TEST(NetworkCost, HandWorkedTwoLevelsWithFanOut) {
  workload::Problem p = gemm();
  Cost c = evaluate(p, two_levels(0.5), gemm_mapping());
  ASSERT_TRUE(c.status.ok());
  const auto& glb = c.levels[1].data_spaces;
  // Each RF keeps A[m][0..3] for the whole run (4 fills), refetches B[0..3][n] per n (4 x 4 = 16)
  // and Z[m][n] per n (4). The GLB serves the 4 PEs:
  //   A: 4 words x 4 distinct rows (M is spatial, A depends on m): 16 reads, each to one PE;
  //   B: 16 words x 1 distinct (B does not depend on m): 16 reads, each multicast to all 4 PEs;
  //   Z: 4 partial sums x 4 distinct PEs: 16 updates, each from one PE; 0 reads (16 = partition).
  EXPECT_EQ(glb[0].reads, 16);
  EXPECT_EQ(glb[1].reads, 16);
  EXPECT_EQ(glb[1].distinct, 1);
  EXPECT_EQ(glb[2].updates, 16);
  EXPECT_EQ(glb[2].reads, 0);
  // Network of the GLB (fan-out F = 4): 48 deliveries. Hops of a delivery to m of the F instances,
  // Timeloop's tree from a side entry: sqrt(F m) + (sqrt F - sqrt m)/2 - sqrt(F / m) + 1/2:
  //   m = 1: 2 + 0.5 - 2 + 0.5 = 1 hop;   m = 4: 4 + 0 - 1 + 0.5 = 3.5 hops (a multicast is one tree).
  // Hops: A 16 x 1 + B 16 x 3.5 + Z 16 x 1 = 88; energy 88 hops x 8 bits x 0.5 pJ = 352 pJ.
  const LevelCost& l = c.levels[1];
  EXPECT_DOUBLE_EQ(l.network_words, 48);
  EXPECT_DOUBLE_EQ(l.network_hops, 88);
  EXPECT_DOUBLE_EQ(l.network_energy_pj, 352);
  EXPECT_DOUBLE_EQ(c.network_energy_pj, 352);
  // The RFs do not fan out (one MAC each): no network below them.
  EXPECT_DOUBLE_EQ(c.levels[0].network_words, 0);
  EXPECT_DOUBLE_EQ(c.levels[0].network_energy_pj, 0);
  // The network is an action of the GLB, on top of its 48 accesses at 1 pJ.
  EXPECT_DOUBLE_EQ(l.read_energy_pj + l.fill_energy_pj + l.update_energy_pj, 48);
  EXPECT_DOUBLE_EQ(l.energy_pj, 48 + 352);
  // Same mapping without a network energy: the total differs by exactly the 352 pJ.
  Cost free = evaluate(p, two_levels(0), gemm_mapping());
  EXPECT_DOUBLE_EQ(free.levels[1].network_hops, 88);  // counted, priced at 0
  EXPECT_DOUBLE_EQ(free.network_energy_pj, 0);
  EXPECT_DOUBLE_EQ(c.energy_pj - free.energy_pj, 352);
  // Reported as its own action: a "(network)" row and a JSON object per level.
  std::string text = format_cost(c, p, two_levels(0.5));
  EXPECT_NE(text.find("(network)"), std::string::npos) << text;
  EXPECT_EQ(format_cost(free, p, two_levels(0)).find("(network)"), std::string::npos);
  std::string json = cost_to_json(c, p, two_levels(0.5));
  EXPECT_NE(json.find("\"network\": {\"words\": 48, \"hops\": 88, \"energy_pj\": 352}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"network_energy_pj\": 352"), std::string::npos) << json;
}

TEST(NetworkCost, MulticastToPartOfTheArrayIsOneTree) {
  // Spatial M2 x N2 on the 4 PEs (both along X): A[m][k] is shared by the 2 PEs of equal m, B[k][n]
  // by the 2 of equal n (multicast 2 of 4), Z by none. GLB loops above the RFs: M2 inside N2.
  Mapping m = Mapping::trivial(2, 3, 3);
  m.levels[0].temporal = {1, 1, 4};
  m.levels[1].spatial = {2, 2, 1};
  m.levels[1].temporal = {2, 2, 1};
  m.levels[1].permutation = {0, 1, 2};
  workload::Problem p = gemm();
  Cost c = evaluate(p, two_levels(1), m);
  ASSERT_TRUE(c.status.ok());
  const auto& glb = c.levels[1].data_spaces;
  EXPECT_EQ(glb[0].distinct, 2);
  EXPECT_EQ(glb[1].distinct, 2);
  EXPECT_EQ(glb[2].distinct, 4);
  // Per PE, A's 4-word row is refetched on every step of M (innermost) and of N above it:
  // 4 x 2 x 2 = 16 fills; B's 4-word column is reused across M, refetched per n: 4 x 2 = 8;
  // Z: 1 x 2 x 2 = 4. The GLB serves fills x distinct: A 32 and B 16 reads, Z 16 updates.
  ASSERT_EQ(glb[0].reads, 32);
  ASSERT_EQ(glb[1].reads, 16);
  ASSERT_EQ(glb[2].updates, 16);
  ASSERT_EQ(glb[2].reads, 0);
  // Hops: A and B multicast to m = 2 of F = 4: 2 sqrt 2 + (2 - sqrt 2)/2 - sqrt 2 + 1/2 = (3 + sqrt 2)/2;
  // Z unicast: 1. Energy: hops x 8 bits x 1 pJ.
  double h2 = (3 + std::sqrt(2.0)) / 2;
  EXPECT_DOUBLE_EQ(c.levels[1].network_words, 64);
  EXPECT_NEAR(c.levels[1].network_hops, 32 * h2 + 16 * h2 + 16 * 1, 1e-9);
  EXPECT_NEAR(c.network_energy_pj, (32 * h2 + 16 * h2 + 16) * 8, 1e-9);
}

TEST(ComputeOpsPerCycle, TwoMacsPerUnitHalveTheComputeCycles) {
  workload::Problem p = gemm();
  hw::Architecture one = two_levels(0), two = two_levels(0);
  two.compute.ops_per_cycle = 2;
  Cost a = evaluate(p, one, gemm_mapping()), b = evaluate(p, two, gemm_mapping());
  ASSERT_TRUE(a.status.ok() && b.status.ok());
  // 4 PEs x (K4 x N4 = 16 iterations) = 64 MACs; one MAC a cycle: 16 cycles; two: 8.
  EXPECT_EQ(a.compute_cycles, 16);
  EXPECT_EQ(b.compute_cycles, 8);
  EXPECT_EQ(b.cycles, 8);
  // Same accesses and MAC energy (64 x 2 pJ); utilization counts 2 MACs per unit per cycle.
  EXPECT_DOUBLE_EQ(b.mac_energy_pj, 128);
  EXPECT_DOUBLE_EQ(a.energy_pj, b.energy_pj);
  EXPECT_DOUBLE_EQ(b.utilization, 64.0 / (8 * 4 * 2));
  EXPECT_DOUBLE_EQ(a.utilization, 1.0);
  // Bandwidth demand is per cycle: the GLB's 32 reads (A 16 + B 16) take 16 cycles at 2 words a
  // cycle; the 1-op array needs 16 cycles anyway, the 2-op array is throttled from 8 to 16.
  one.levels[1].read_bandwidth = two.levels[1].read_bandwidth = 2;   // 32 reads
  one.levels[1].write_bandwidth = two.levels[1].write_bandwidth = 4; // 16 updates
  EXPECT_EQ(evaluate(p, one, gemm_mapping()).cycles, 16);
  EXPECT_EQ(evaluate(p, two, gemm_mapping()).cycles, 16);  // reads: 32 words / 2 per cycle
  // An odd iteration count rounds up: 3 iterations on a 2-op unit take 2 cycles.
  Mapping m3 = Mapping::trivial(2, 3, 3);
  workload::Problem q = gemm();
  q.bounds = {4, 1, 3};
  m3.levels[0].temporal = {1, 1, 3};
  m3.levels[1].spatial = {4, 1, 1};
  EXPECT_EQ(evaluate(q, two_levels(0), m3).compute_cycles, 3);
  EXPECT_EQ(evaluate(q, two, m3).compute_cycles, 2);
}

// edge-npu's INT4 mode: the same 16 x 16 physical units at 2 INT4 MACs per cycle.
TEST(ComputeOpsPerCycle, EdgeNpuInt4HalvesCyclesOnTheSameSilicon) {
  hw::Architecture i8 = hw::build_template("edge-npu?precision=INT8");
  hw::Architecture i4 = hw::build_template("edge-npu?precision=INT4");
  workload::Problem p = gemm("Inputs", "Weights", "Outputs");
  p.bounds = {16, 16, 8};
  // RF: for K in 8, keeps Weights and Outputs | GLB: spatial M16 (X) x N16 (Y) | DRAM.
  Mapping m = Mapping::trivial(3, 3, 3);
  m.levels[0].temporal = {1, 1, 8};
  m.levels[0].keep = 0b110;
  m.levels[1].spatial = {16, 16, 1};
  m.levels[1].spatial_y = {0, 1, 0};
  Cost c8 = evaluate(p, i8, m), c4 = evaluate(p, i4, m);
  ASSERT_TRUE(c8.status.ok()) << describe(c8.status, c8, p, i8);
  ASSERT_TRUE(c4.status.ok()) << describe(c4.status, c4, p, i4);
  EXPECT_EQ(c8.compute_cycles, 8);
  EXPECT_EQ(c4.compute_cycles, 4);
  EXPECT_EQ(c4.mac_instances, 256);
  EXPECT_EQ(c8.macs, c4.macs);
  EXPECT_DOUBLE_EQ(c4.area_um2, c8.area_um2);
  EXPECT_DOUBLE_EQ(c4.mac_energy_pj, 2048 * i4.compute.energy_per_mac_pj);
}

}  // namespace
}  // namespace coda::map
