// The mapping Timeloop's mapper found for the Eyeriss exercise (256 PEs, a 3x3 layer with
// C256 K512 N16 P=Q=56) evaluates to the per-level counts and energies of Timeloop's reference
// output (tests/data/timeloop/06-ref-eyeriss-256/README.md). It exercises what exercises 00-04 do
// not: a 2-D array two spatial levels deep, three data spaces bypassing three levels, multicast and
// spatial reduction across bypassed levels, and sliding windows along both image axes.
#include <gtest/gtest.h>

#include "coda/map/evaluator.h"
#include "coda/map/timeloop_inputs.h"
#include "exercise.h"

namespace coda::map {
namespace {

TEST(TimeloopEyeriss, ReferenceMappingMatchesTimeloopStats) {
  std::string d = testing::exercise_path("06-ref-eyeriss-256/");
  TimeloopInputs in = load_timeloop_inputs({d + "cnn-layer.prob.yaml", d + "eyeriss-256.arch.yaml", d + "ERT.yaml", d + "ref.map.yaml"});
  Cost c = evaluate(in.problem, in.arch, *in.mapping);
  ASSERT_TRUE(c.status.ok()) << describe(c.status, c, in.problem, in.arch);
  struct Row {
    const char* level;
    const char* space;
    int64_t reads, fills, updates, tile, partition, instances;
  };
  // "Scalar reads/fills/updates (per-instance)", "Utilized capacity", "Partition size",
  // "Utilized instances" from Timeloop's stats.
  const Row rows[] = {
      {"PsumRegFile", "Outputs", 307478528, 25690112, 308281344, 8, 802816, 192},
      {"WeightRegFile", "Weights", 308281344, 2752512, 0, 96, 24576, 192},
      {"InputRegFile", "Inputs", 308281344, 13303808, 0, 12, -1, 192},
      {"GlobalBuffer", "Inputs", 319291392, 79822848, 0, 5568, 13778944, 1},
      {"GlobalBuffer", "Outputs", 796393472, 25690112, 822083584, 57344, 25690112, 1},
      {"DRAM", "Weights", 132120576, 0, 0, 1179648, 1179648, 1},
      {"DRAM", "Inputs", 79822848, 0, 0, 13778944, 13778944, 1},
      {"DRAM", "Outputs", 0, 0, 25690112, 25690112, 25690112, 1},
  };
  for (const Row& r : rows) {
    const DataSpaceCost& got = c.levels[static_cast<size_t>(in.arch.level_index(r.level))]
                                   .data_spaces[static_cast<size_t>(in.problem.data_space_index(r.space))];
    std::string what = std::string(r.level) + " " + r.space;
    EXPECT_TRUE(got.kept) << what;
    EXPECT_EQ(got.reads, r.reads) << what;
    EXPECT_EQ(got.fills, r.fills) << what;
    EXPECT_EQ(got.updates, r.updates) << what;
    EXPECT_EQ(got.tile_words, r.tile) << what;
    // A partition only changes counts for partial sums (reads = updates - partition). For a
    // sliding-window data space Timeloop reports an estimate (total / 12 here); coda the box.
    if (r.partition >= 0) {
      EXPECT_EQ(got.partition_words, r.partition) << what;
    }
    EXPECT_EQ(got.instances, r.instances) << what;
  }
  // Timeloop's network stats: Inputs reach the 192 PEs multicast 4 ways from the global buffer
  // (K4 of its K4 x Q4 fan-out) and 2 ways through the DummyBuffers (K2 of K2 x C2 x S3): 8 in
  // all; partial sums are reduced 6 ways (C2 x S3) on their way up.
  const DataSpaceCost& glb_in = c.levels[4].data_spaces[1];
  const DataSpaceCost& glb_out = c.levels[4].data_spaces[2];
  EXPECT_EQ(glb_in.fanout, 192);
  EXPECT_EQ(glb_in.fanout / glb_in.distinct, 8);
  EXPECT_EQ(glb_out.fanout / glb_out.distinct, 6);
  EXPECT_EQ(c.mac_instances, 192);
  EXPECT_EQ(c.compute_cycles, 308281344);
  // Energies: "Energy (total)" per level and data space, and "Total topology energy".
  EXPECT_NEAR(c.levels[0].energy_pj, 24877996179.46, 0.01);
  EXPECT_NEAR(c.levels[1].energy_pj, 91787335041.02, 0.01);
  EXPECT_NEAR(c.levels[2].energy_pj, 11607937646.59, 0.01);
  EXPECT_NEAR(c.levels[4].data_spaces[1].energy_pj, 2643433390.08, 0.01);
  EXPECT_NEAR(c.levels[4].data_spaces[2].energy_pj, 10889730195.46, 0.01);
  EXPECT_NEAR(c.levels[5].energy_pj, 16911433728.0 + 10217324544.0 + 3288334336.0, 0.01);
  EXPECT_NEAR(c.mac_energy_pj, 71442351783.94, 0.05);
  EXPECT_NEAR(c.energy_pj, 243665876844.54, 0.1);
  // Timeloop's build for that run compared bandwidth in bytes per cycle (16-bit words: 2 bytes),
  // throttling the partial-sum file to 0.92 and reporting 333971456 cycles. coda, like Timeloop
  // since, counts words per cycle: 1.08 words/cycle of writes fit the 2 the file has.
  EXPECT_EQ(c.cycles, 308281344);
  EXPECT_DOUBLE_EQ(c.utilization, 0.75);
}

}  // namespace
}  // namespace coda::map
