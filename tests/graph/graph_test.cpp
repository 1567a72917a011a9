#include "coda/graph/graph.h"

#include <gtest/gtest.h>

#include "coda/graph/infer.h"

namespace cg = coda::graph;
using coda::DType;
using coda::Shape;
using coda::Tensor;

namespace {

TEST(Graph, OpNamesRoundTrip) {
  EXPECT_EQ(cg::op_from_name("Conv"), cg::OpKind::Conv);
  EXPECT_STREQ(cg::op_name(cg::OpKind::QLinearMatMul), "QLinearMatMul");
  EXPECT_EQ(cg::op_from_name("conv"), cg::OpKind::Unknown);
}

TEST(Graph, SortIsStableAndDetectsCycles) {
  cg::Graph g;
  auto x = g.add_input("x", DType::f32, {2});
  auto a = g.add_value("a"), b = g.add_value("b"), c = g.add_value("c");
  g.add_node(cg::OpKind::Relu, "n2", {b}, {c});
  g.add_node(cg::OpKind::Neg, "n0", {x}, {a});
  g.add_node(cg::OpKind::Abs, "n1", {a}, {b});
  g.mark_output(c);
  g.sort();
  EXPECT_EQ(g.nodes()[0].name, "n0");
  EXPECT_EQ(g.nodes()[1].name, "n1");
  EXPECT_EQ(g.nodes()[2].name, "n2");
  cg::verify(g);

  cg::Graph cyc;
  auto y = cyc.add_input("y", DType::f32, {2});
  auto p = cyc.add_value("p"), q = cyc.add_value("q");
  cyc.add_node(cg::OpKind::Add, "add", {y, q}, {p});
  cyc.add_node(cg::OpKind::Neg, "neg", {p}, {q});
  cyc.mark_output(p);
  EXPECT_THROW(cyc.sort(), coda::InvalidError);
}

TEST(Graph, VerifyRejectsBadArityAndUndefinedOutputs) {
  cg::Graph g;
  auto x = g.add_input("x", DType::f32, {2});
  auto y = g.add_value("y");
  g.add_node(cg::OpKind::Add, "add", {x}, {y});
  g.mark_output(y);
  EXPECT_THROW(cg::verify(g), coda::InvalidError);
}

// Shape rules from the ONNX operator specification, checked on hand-worked cases.
TEST(ShapeInference, ConvPoolGemmMatmul) {
  cg::Graph g;
  auto x = g.add_input("x", DType::f32, {1, 3, 224, 224});
  auto w = g.add_constant("w", Tensor(DType::f32, {64, 3, 7, 7}));
  auto c = g.add_value("c"), p = g.add_value("p"), gp = g.add_value("gp");
  g.add_node(cg::OpKind::Conv, "conv", {x, w}, {c}, {{"strides", std::vector<int64_t>{2, 2}}, {"pads", std::vector<int64_t>{3, 3, 3, 3}}});
  g.add_node(cg::OpKind::MaxPool, "pool", {c}, {p},
             {{"kernel_shape", std::vector<int64_t>{3, 3}}, {"strides", std::vector<int64_t>{2, 2}}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  g.add_node(cg::OpKind::GlobalAveragePool, "gap", {p}, {gp});
  auto a = g.add_input("a", DType::f32, {8, 1, 5, 6});
  auto b = g.add_input("b", DType::f32, {3, 6, 7});
  auto mm = g.add_value("mm");
  g.add_node(cg::OpKind::MatMul, "mm", {a, b}, {mm});
  g.mark_output(gp);
  g.mark_output(mm);
  cg::infer_shapes(g);
  EXPECT_EQ(g.value(c).shape, (Shape{1, 64, 112, 112}));
  EXPECT_EQ(g.value(p).shape, (Shape{1, 64, 56, 56}));
  EXPECT_EQ(g.value(gp).shape, (Shape{1, 64, 1, 1}));
  EXPECT_EQ(g.value(mm).shape, (Shape{8, 3, 5, 7}));
}

TEST(ShapeInference, ConvTransposeAndCeilModePool) {
  cg::Graph g;
  auto x = g.add_input("x", DType::f32, {2, 64, 7, 7});
  auto w = g.add_constant("w", Tensor(DType::f32, {64, 32, 4, 4}));
  auto y = g.add_value("y"), p = g.add_value("p");
  g.add_node(cg::OpKind::ConvTranspose, "ct", {x, w}, {y},
             {{"strides", std::vector<int64_t>{2, 2}}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  // ceil((7-2)/2)+1 = 4 with ceil_mode (3 without)
  g.add_node(cg::OpKind::MaxPool, "p", {x}, {p},
             {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"strides", std::vector<int64_t>{2, 2}}, {"ceil_mode", int64_t{1}}});
  g.mark_output(y);
  g.mark_output(p);
  cg::infer_shapes(g);
  EXPECT_EQ(g.value(y).shape, (Shape{2, 32, 14, 14}));  // 2*(7-1) + 4 - 2
  EXPECT_EQ(g.value(p).shape, (Shape{2, 64, 4, 4}));
}

TEST(ShapeInference, ReshapeSliceGatherUnsqueeze) {
  cg::Graph g;
  auto x = g.add_input("x", DType::f32, {2, 3, 4});
  auto s = g.add_constant("s", Tensor::from_vector<int64_t>({0, -1}, {2}));
  auto st = g.add_constant("st", Tensor::from_vector<int64_t>({-1}, {1}));
  auto en = g.add_constant("en", Tensor::from_vector<int64_t>({-100}, {1}));
  auto ax = g.add_constant("ax", Tensor::from_vector<int64_t>({2}, {1}));
  auto sp = g.add_constant("sp", Tensor::from_vector<int64_t>({-2}, {1}));
  auto idx = g.add_constant("idx", Tensor(DType::i64, {5, 6}));
  auto r = g.add_value("r"), sl = g.add_value("sl"), ga = g.add_value("ga"), un = g.add_value("un");
  g.add_node(cg::OpKind::Reshape, "r", {x, s}, {r});
  g.add_node(cg::OpKind::Slice, "sl", {x, st, en, ax, sp}, {sl});  // 3,1 step -2 over 4: indices 3,1
  g.add_node(cg::OpKind::Gather, "ga", {x, idx}, {ga}, {{"axis", int64_t{1}}});
  g.add_node(cg::OpKind::Unsqueeze, "un", {x, ax}, {un});
  for (auto v : {r, sl, ga, un}) g.mark_output(v);
  cg::infer_shapes(g);
  EXPECT_EQ(g.value(r).shape, (Shape{2, 12}));
  EXPECT_EQ(g.value(sl).shape, (Shape{2, 3, 2}));
  EXPECT_EQ(g.value(ga).shape, (Shape{2, 5, 6, 4}));
  EXPECT_EQ(g.value(un).shape, (Shape{2, 3, 1, 4}));
}

TEST(ShapeInference, BroadcastMismatchNamesTheNode) {
  cg::Graph g;
  auto a = g.add_input("a", DType::f32, {2, 3});
  auto b = g.add_input("b", DType::f32, {4});
  auto y = g.add_value("y");
  g.add_node(cg::OpKind::Add, "badd", {a, b}, {y});
  g.mark_output(y);
  try {
    cg::infer_shapes(g);
    ADD_FAILURE();
  } catch (const coda::InvalidError& e) {
    EXPECT_NE(std::string(e.what()).find("node badd"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("do not broadcast"), std::string::npos) << e.what();
  }
}

TEST(ShapeInference, FoldConstantsUsesTheEvaluatorAndDropsDeadNodes) {
  cg::Graph g;
  auto x = g.add_input("x", DType::f32, {2, 3});
  auto k = g.add_constant("k", Tensor::from_vector<float>({1, 2, 3}, {3}));
  auto k2 = g.add_value("k2"), y = g.add_value("y");
  g.add_node(cg::OpKind::Neg, "neg", {k}, {k2});
  g.add_node(cg::OpKind::Add, "add", {x, k2}, {y});
  g.mark_output(y);
  int calls = 0;
  cg::fold_constants(g, [&](const cg::Node& n, const std::vector<Tensor>& ins) {
    ++calls;
    EXPECT_EQ(n.op, cg::OpKind::Neg);
    Tensor out = ins[0].clone();
    for (int i = 0; i < 3; ++i) out.data<float>()[i] = -out.data<float>()[i];
    return std::vector<Tensor>{out};
  });
  EXPECT_EQ(calls, 1);
  ASSERT_EQ(g.nodes().size(), 1u);
  EXPECT_EQ(g.value(k2).constant->to_f32_vector(), (std::vector<float>{-1, -2, -3}));
  EXPECT_EQ(g.value(y).shape, (Shape{2, 3}));
}

}  // namespace
