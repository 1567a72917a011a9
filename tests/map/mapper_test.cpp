// The mapper against brute force: an independent enumeration of every mapping (all factor splits,
// all loop orders including those the mapspace prunes, every bypass choice) evaluated with the
// cost model; the mapper must find a mapping exactly as good. Plus determinism across thread
// counts and Timeloop's constraint files from exercise 05.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "coda/core/error.h"
#include "coda/map/constraints.h"
#include "coda/map/evaluator.h"
#include "coda/map/mapper.h"
#include "coda/map/timeloop_inputs.h"
#include "exercise.h"

namespace coda::map {
namespace {

const char* kEx5 = "05-mapper-conv1d+oc-3level";

testing::Exercise ex5(int64_t K, int64_t R, int64_t P) {
  testing::Exercise e = testing::load_exercise(kEx5, "conv1d+oc.prob.yaml", "3level.arch.yaml");
  e.problem.bounds = {K, R, P};
  return e;
}

// Ordered ways to split n over `slots` factors.
std::vector<std::vector<int64_t>> splits(int64_t n, int slots) {
  if (slots == 1) return {{n}};
  std::vector<std::vector<int64_t>> out;
  for (int64_t f = 1; f <= n; ++f)
    if (n % f == 0)
      for (auto rest : splits(n / f, slots - 1)) {
        rest.insert(rest.begin(), f);
        out.push_back(rest);
      }
  return out;
}

// Best cost over every (factor split, loop order per level, keep mask); the split includes a
// spatial factor (along X) at `spatial_level` if it is not -1.
Cost brute_force(const workload::Problem& p, const hw::Architecture& a, Objective obj, bool free_bypass,
                 int spatial_level = -1) {
  int L = a.num_levels(), D = static_cast<int>(p.dims.size()), S = static_cast<int>(p.data_spaces.size());
  std::vector<std::vector<std::vector<int64_t>>> per_dim;
  for (int d = 0; d < D; ++d) per_dim.push_back(splits(p.bounds[static_cast<size_t>(d)], L + (spatial_level >= 0)));
  std::vector<std::vector<int>> perms;
  std::vector<int> perm(static_cast<size_t>(D));
  for (int d = 0; d < D; ++d) perm[static_cast<size_t>(d)] = d;
  do perms.push_back(perm);
  while (std::next_permutation(perm.begin(), perm.end()));
  Evaluator ev(p, a);
  Cost best, cost;
  ev.prepare(cost);
  bool found = false;
  Mapping m = Mapping::trivial(L, D, S);
  uint32_t all = (1u << S) - 1;
  int free_bits = free_bypass ? (L - 1) * S : 0;
  std::vector<size_t> choice(static_cast<size_t>(D), 0);
  std::function<void(int)> over_dims = [&](int d) {
    if (d == D) {
      for (int lvl = 0; lvl < L; ++lvl)
        for (int k = 0; k < D; ++k)
          m.levels[static_cast<size_t>(lvl)].temporal[static_cast<size_t>(k)] = per_dim[static_cast<size_t>(k)][choice[static_cast<size_t>(k)]][static_cast<size_t>(lvl)];
      if (spatial_level >= 0)
        for (int k = 0; k < D; ++k)
          m.levels[static_cast<size_t>(spatial_level)].spatial[static_cast<size_t>(k)] = per_dim[static_cast<size_t>(k)][choice[static_cast<size_t>(k)]].back();
      size_t n_orders = 1;
      for (int lvl = 0; lvl < L; ++lvl) n_orders *= perms.size();
      for (uint64_t keep = 0; keep < (uint64_t{1} << free_bits); ++keep) {
        for (int lvl = 0; lvl < L - 1; ++lvl) m.levels[static_cast<size_t>(lvl)].keep = free_bypass ? (keep >> (lvl * S)) & all : all;
        for (size_t o = 0; o < n_orders; ++o) {
          size_t code = o;
          for (int lvl = 0; lvl < L; ++lvl, code /= perms.size()) m.levels[static_cast<size_t>(lvl)].permutation = perms[code % perms.size()];
          if (ev.evaluate(m, cost) && (!found || better(cost, best, obj))) best = cost, found = true;
        }
      }
      return;
    }
    for (choice[static_cast<size_t>(d)] = 0; choice[static_cast<size_t>(d)] < per_dim[static_cast<size_t>(d)].size(); ++choice[static_cast<size_t>(d)]) over_dims(d + 1);
  };
  over_dims(0);
  EXPECT_TRUE(found);
  return best;
}

TEST(MapperBruteForce, ThreeLevelsWithFreeBypassEnergy) {
  testing::Exercise e = ex5(4, 3, 2);
  e.arch.levels[0].capacity_words = 6;  // a small register file makes the choice matter
  Cost want = brute_force(e.problem, e.arch, Objective::energy, true);
  MapperOptions o;
  o.objective = Objective::energy;
  o.algorithm = MapperOptions::Algorithm::exhaustive;
  o.threads = 2;
  MapperResult got = Mapper(e.problem, e.arch, from_architecture(e.problem, e.arch), o).run();
  ASSERT_TRUE(got.found);
  EXPECT_EQ(got.algorithm, "exhaustive");
  EXPECT_DOUBLE_EQ(got.cost.energy_pj, want.energy_pj);
  EXPECT_LT(got.evaluated, 54u * 216u * 64u);  // pruned: loop orders of factor-1 loops, level 0's order
  // The mapping it returns evaluates to the cost it reports.
  EXPECT_DOUBLE_EQ(evaluate(e.problem, e.arch, got.mapping).energy_pj, got.cost.energy_pj);
}

TEST(MapperBruteForce, EdpWithTheArchitectureKeepingEverything) {
  testing::Exercise e = ex5(8, 3, 4);
  e.arch.levels[0].capacity_words = 8;
  e.arch.levels[1].capacity_words = 40;
  Cost want = brute_force(e.problem, e.arch, Objective::edp, false);
  Constraints c = from_architecture(e.problem, e.arch);
  for (int i = 0; i < 2; ++i) c.levels[static_cast<size_t>(i)].keep = 0b111;
  MapperOptions o;
  o.algorithm = MapperOptions::Algorithm::exhaustive;
  MapperResult got = Mapper(e.problem, e.arch, c, o).run();
  ASSERT_TRUE(got.found);
  EXPECT_DOUBLE_EQ(got.cost.edp(), want.edp());
}

TEST(MapperBruteForce, SpatialLevelWithMulticastAndReduction) {
  const char* dir = "04-model-conv1d+oc-3levelspatial";
  testing::Exercise e = testing::load_exercise(dir, "conv1d+oc+ic.prob.yaml", "3levelspatial.arch.yaml");
  e.problem.bounds = {2, 2, 3, 2};  // C K R P
  e.arch.levels[0].capacity_words = 4;
  Cost want = brute_force(e.problem, e.arch, Objective::energy, false, 1);
  Constraints c = from_architecture(e.problem, e.arch);
  for (int i = 0; i < 2; ++i) c.levels[static_cast<size_t>(i)].keep = 0b111;
  MapperOptions o;
  o.objective = Objective::energy;
  o.algorithm = MapperOptions::Algorithm::exhaustive;
  MapperResult got = Mapper(e.problem, e.arch, c, o).run();
  ASSERT_TRUE(got.found);
  EXPECT_DOUBLE_EQ(got.cost.energy_pj, want.energy_pj);
  EXPECT_GT(got.cost.mac_instances, 1);  // the best mapping uses the array
}

TEST(MapperDeterminism, SameMappingAtAnyThreadCount) {
  testing::Exercise e = testing::load_exercise(kEx5, "conv1d+oc.prob.yaml", "3level.arch.yaml");
  for (auto algo : {MapperOptions::Algorithm::exhaustive, MapperOptions::Algorithm::random}) {
    MapperOptions o;
    o.algorithm = algo;
    o.samples = 20000;
    o.seed = 7;
    Constraints c = from_architecture(e.problem, e.arch);
    o.threads = 1;
    MapperResult one = Mapper(e.problem, e.arch, c, o).run();
    for (int t : {2, 3}) {
      o.threads = t;
      MapperResult many = Mapper(e.problem, e.arch, c, o).run();
      EXPECT_EQ(many.mapping, one.mapping) << t << " threads";
      EXPECT_EQ(many.cost.energy_pj, one.cost.energy_pj);
      EXPECT_EQ(many.evaluated, one.evaluated);
      EXPECT_EQ(many.valid, one.valid);
    }
  }
}

TEST(MapperTimeloopConstraints, EyerissRowStationaryOnVgg02Layer5) {
  std::string d = testing::exercise_path("06-mapper-convlayer-eyeriss/");
  TimeloopInputs in = load_timeloop_inputs({d + "prob/VGG02_layer5.yaml", d + "arch/eyeriss_like.yaml", d + "arch/ERT.yaml",
                                            d + "arch/components/smartbuffer_RF.yaml", d + "constraints/eyeriss_like_arch_constraints.yaml",
                                            d + "constraints/eyeriss_like_map_constraints.yaml", d + "mapper/mapper.yaml"});
  EXPECT_EQ(in.mapper.objective, Objective::cycles);  // optimization-metrics: [delay, energy]
  EXPECT_EQ(in.mapper.threads, 8);
  EXPECT_EQ(in.mapper.algorithm, MapperOptions::Algorithm::random);  // algorithm: random-pruned
  in.mapper.algorithm = MapperOptions::Algorithm::automatic;
  in.mapper.threads = 2;
  MapperResult r = Mapper(in.problem, in.arch, in.constraints, in.mapper).run();
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.algorithm, "exhaustive");
  // All 168 PEs busy: the fewest cycles possible, MACs / 168.
  EXPECT_EQ(r.cost.cycles, in.problem.macs() / 168);
  EXPECT_DOUBLE_EQ(r.cost.utilization, 1.0);
  // The row-stationary constraints hold: a whole filter row in the weights scratchpad, each
  // scratchpad keeping only its data space, the DummyBuffer nothing.
  int w = in.arch.level_index("weights_spad"), ps = in.arch.level_index("psum_spad"), dummy = in.arch.level_index("DummyBuffer");
  EXPECT_EQ(r.mapping.levels[static_cast<size_t>(w)].temporal[static_cast<size_t>(in.problem.dim_index("R"))], 3);
  EXPECT_EQ(r.mapping.levels[static_cast<size_t>(ps)].keep, 1u << in.problem.data_space_index("Outputs"));
  EXPECT_EQ(r.mapping.levels[static_cast<size_t>(dummy)].keep, 0u);
  EXPECT_DOUBLE_EQ(evaluate(in.problem, in.arch, r.mapping).energy_pj, r.cost.energy_pj);
  // Random sampling of the same space: same answer at 1 and 2 threads.
  in.mapper.algorithm = MapperOptions::Algorithm::random;
  in.mapper.samples = 6000;
  in.mapper.threads = 1;
  MapperResult a = Mapper(in.problem, in.arch, in.constraints, in.mapper).run();
  in.mapper.threads = 2;
  MapperResult b = Mapper(in.problem, in.arch, in.constraints, in.mapper).run();
  ASSERT_TRUE(a.found);
  EXPECT_EQ(a.mapping, b.mapping);
  EXPECT_FALSE(better(a.cost, r.cost, Objective::cycles));  // sampling cannot beat the exhaustive optimum
}

TEST(MapperTimeloopConstraints, OneMappingConstraintsReproduceExercise3) {
  testing::Exercise e = testing::load_exercise(kEx5, "conv1d+oc.prob.yaml", "3level.arch.yaml");
  Constraints c = from_architecture(e.problem, e.arch);
  add_timeloop_constraints(c, testing::exercise_text(std::string(kEx5) + "/constraints/conv1d+oc-3level-1mapping.constraints.yaml"),
                           e.problem, e.arch, "1mapping");
  MapperResult r = Mapper(e.problem, e.arch, c, MapperOptions{}).run();
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.valid, 1u);
  EXPECT_NEAR(r.cost.energy_pj, 49500.976, 1e-6);  // exercise 03's mapping, as Timeloop says it must be
  // Free bypass: 2^(2 levels x 3 data spaces) = 64 candidates, as the exercise's README counts.
  Constraints fb = from_architecture(e.problem, e.arch);
  add_timeloop_constraints(fb, testing::exercise_text(std::string(kEx5) + "/constraints/conv1d+oc-3level-freebypass.constraints.yaml"),
                           e.problem, e.arch, "freebypass");
  MapperOptions o;
  o.objective = Objective::energy;
  MapperResult free = Mapper(e.problem, e.arch, fb, o).run();
  EXPECT_EQ(free.evaluated, 64u);
  EXPECT_LT(free.cost.energy_pj, r.cost.energy_pj);
}

TEST(MapperErrors, ConstraintsThatAdmitNothingNameLevelAndDimension) {
  testing::Exercise e = testing::load_exercise(kEx5, "conv1d+oc.prob.yaml", "3level.arch.yaml");
  Constraints c = from_architecture(e.problem, e.arch);
  add_timeloop_constraints(c, "mapspace_constraints:\n- {target: GlobalBuffer, type: temporal, factors: K=7}\n",
                           e.problem, e.arch, "c.yaml");
  try {
    Mapper(e.problem, e.arch, c, MapperOptions{}).run();
    FAIL();
  } catch (const InvalidError& err) {
    std::string m = err.what();
    EXPECT_NE(m.find("dimension K"), std::string::npos) << m;
    EXPECT_NE(m.find("GlobalBuffer K=7"), std::string::npos) << m;
  }
  Constraints k = from_architecture(e.problem, e.arch);
  EXPECT_THROW(add_timeloop_constraints(k, "mapspace_constraints:\n- {target: MainMemory, type: bypass, bypass: [Inputs]}\n",
                                        e.problem, e.arch, "c.yaml"),
               InvalidError);
}

TEST(MapperErrors, ArchitectureThatHoldsNoMappingReportsTheLevel) {
  testing::Exercise e = testing::load_exercise(kEx5, "conv1d+oc.prob.yaml", "3level.arch.yaml");
  e.arch.levels[0].capacity_words = 2;
  Constraints c = from_architecture(e.problem, e.arch);
  add_timeloop_constraints(c, "mapspace_constraints:\n- {target: RegisterFile, type: temporal, factors: R=3}\n"
                              "- {target: RegisterFile, type: bypass, keep: [Weights]}\n", e.problem, e.arch, "c.yaml");
  MapperResult r = Mapper(e.problem, e.arch, c, MapperOptions{}).run();
  EXPECT_FALSE(r.found);
  EXPECT_EQ(r.failure.fail, Fail::capacity);
  EXPECT_EQ(r.failure.level, 0);
  std::string why = describe(r.failure, r.failure_cost, e.problem, e.arch);
  EXPECT_NE(why.find("RegisterFile"), std::string::npos) << why;
  EXPECT_NE(why.find("Weights"), std::string::npos) << why;
}

}  // namespace
}  // namespace coda::map
