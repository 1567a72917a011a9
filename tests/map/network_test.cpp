// Whole-network mapping: each distinct layer shape is searched once, totals add up over layers.
#include <gtest/gtest.h>

#include "coda/core/error.h"
#include "coda/map/network.h"
#include "coda/workload/problem_shapes.h"
#include "exercise.h"

namespace coda::map {
namespace {

workload::LayerWork layer(const std::string& name, const workload::Problem& p) {
  workload::LayerWork l;
  l.name = name;
  l.problem = p;
  l.macs = p.macs();
  return l;
}

TEST(MapNetwork, SearchesEachShapeOnceAndAddsUp) {
  testing::Exercise e = testing::load_exercise("04-model-conv1d+oc-3levelspatial", "conv1d+oc+ic.prob.yaml",
                                               "3levelspatial.arch.yaml");
  workload::Problem a = workload::conv_problem({.K = 8, .C = 4, .P = 8, .Q = 4, .R = 3, .S = 3});
  workload::Problem b = workload::gemm_problem({.M = 16, .N = 8, .K = 32});
  workload::LayerWork vector_op;
  vector_op.name = "relu";  // no problem: not mapped
  std::vector<workload::LayerWork> layers = {layer("conv", a), vector_op, layer("fc", b), layer("conv_again", a)};
  MapperOptions o;
  o.threads = 2;
  NetworkMapping n = map_network(layers, e.arch, o);
  ASSERT_EQ(n.layers.size(), 3u);
  EXPECT_EQ(n.distinct_shapes, 2);
  EXPECT_FALSE(n.layers[0].cached);
  EXPECT_TRUE(n.layers[2].cached);
  EXPECT_EQ(n.layers[2].result.mapping, n.layers[0].result.mapping);
  EXPECT_EQ(n.macs, 2 * a.macs() + b.macs());
  EXPECT_EQ(n.cycles, 2 * n.layers[0].result.cost.cycles + n.layers[1].result.cost.cycles);
  EXPECT_DOUBLE_EQ(n.energy_pj, 2 * n.layers[0].result.cost.energy_pj + n.layers[1].result.cost.energy_pj);
  EXPECT_EQ(n.evaluated, n.layers[0].result.evaluated + n.layers[1].result.evaluated);
  // Each layer's result is what the mapper gives for that layer alone.
  MapperResult alone = Mapper(b, e.arch, from_architecture(b, e.arch), o).run();
  EXPECT_DOUBLE_EQ(alone.cost.edp(), n.layers[1].result.cost.edp());
}

TEST(MapNetwork, ALayerThatFitsNowhereIsNamed) {
  testing::Exercise e = testing::load_exercise("02-model-conv1d+oc-2level", "conv1d+oc.prob.yaml", "2level.arch.yaml");
  workload::Problem big = workload::gemm_problem({.M = 1024, .N = 1024, .K = 1024});  // 3 M words > 262144
  try {
    map_network({layer("huge_fc", big)}, e.arch, MapperOptions{});
    FAIL();
  } catch (const InvalidError& err) {
    EXPECT_EQ(err.where(), "layer huge_fc");
    EXPECT_NE(err.message().find("level MainMemory"), std::string::npos) << err.what();
  }
}

}  // namespace
}  // namespace coda::map
