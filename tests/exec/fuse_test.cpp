#include "coda/exec/fuse_activations.h"

#include <gtest/gtest.h>

#include <random>

#include "coda/exec/executor.h"
#include "coda/exec/kernels.h"
#include "coda/graph/infer.h"

namespace cg = coda::graph;
using coda::DType;
using coda::Tensor;

namespace {

Tensor randn(coda::Shape s, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd;
  Tensor t(DType::f32, s);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = nd(rng);
  return t;
}

// x -> Conv -> Relu -> MatMul -> Clip(-0.5, 0.5) -> out1; x -> Conv2 -> {LeakyRelu, Neg}: a second
// use of a producer's output must block fusion.
cg::Graph make_graph() {
  cg::Graph g("fuse");
  auto x = g.add_input("x", DType::f32, {2, 3, 6, 6});
  auto w = g.add_constant("w", randn({4, 3, 3, 3}, 1));
  auto m = g.add_constant("m", randn({6, 5}, 2));
  auto lo = g.add_constant("lo", Tensor::scalar<float>(-0.5f));
  auto hi = g.add_constant("hi", Tensor::scalar<float>(0.5f));
  auto c = g.add_value("c"), r = g.add_value("r"), mm = g.add_value("mm"), cl = g.add_value("cl");
  auto c2 = g.add_value("c2"), lr = g.add_value("lr"), neg = g.add_value("neg");
  g.add_node(cg::OpKind::Conv, "conv", {x, w}, {c}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  g.add_node(cg::OpKind::Relu, "relu", {c}, {r});
  g.add_node(cg::OpKind::MatMul, "mm", {r, m}, {mm});
  g.add_node(cg::OpKind::Clip, "clip", {mm, lo, hi}, {cl});
  g.add_node(cg::OpKind::Conv, "conv2", {x, w}, {c2});
  g.add_node(cg::OpKind::LeakyRelu, "lrelu", {c2}, {lr}, {{"alpha", 0.2f}});
  g.add_node(cg::OpKind::Neg, "neg", {c2}, {neg});  // second use of c2: conv2 must not fuse
  g.mark_output(cl);
  g.mark_output(lr);
  g.mark_output(neg);
  return g;
}

TEST(FuseActivations, FusesSingleUseProducersOnly) {
  cg::Graph g = make_graph();
  cg::infer_shapes(g);  // fusion needs dtypes (it fuses f32 only)
  EXPECT_EQ(coda::exec::fuse_activations(g), 2);
  ASSERT_EQ(g.nodes().size(), 5u);
  EXPECT_EQ(g.nodes()[0].s("_activation", ""), "Relu");
  EXPECT_EQ(g.nodes()[1].s("_activation", ""), "Clip");
  EXPECT_FLOAT_EQ(g.nodes()[1].f("_activation_min", 0), -0.5f);
  EXPECT_FALSE(g.nodes()[2].has("_activation"));  // conv2 feeds two nodes
  cg::verify(g);
}

TEST(FuseActivations, ExecutorResultsEqualNodeByNodeEvaluation) {
  cg::Graph g = make_graph();
  Tensor x = randn({2, 3, 6, 6}, 3);
  // Unfused reference: evaluate node by node.
  std::vector<Tensor> vals(g.num_values());
  vals[static_cast<size_t>(g.inputs()[0])] = x;
  for (const auto& n : g.nodes()) {
    std::vector<Tensor> ins;
    for (auto in : n.inputs) ins.push_back(g.value(in).is_constant() ? *g.value(in).constant : vals[static_cast<size_t>(in)]);
    auto outs = coda::exec::evaluate_node_serial(n, ins);
    for (size_t k = 0; k < n.outputs.size(); ++k) vals[static_cast<size_t>(n.outputs[k])] = outs[k];
  }
  coda::exec::Executor ex(make_graph(), {.threads = 2});
  auto got = ex.run(std::vector<Tensor>{x});
  for (size_t k = 0; k < 3; ++k) {
    const Tensor& want = vals[static_cast<size_t>(g.outputs()[k])];
    ASSERT_EQ(got[k].shape(), want.shape());
    EXPECT_EQ(0, std::memcmp(got[k].raw(), want.raw(), want.nbytes())) << "output " << k;
  }
}

}  // namespace
