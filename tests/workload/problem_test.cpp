// Problem shapes worked by hand: dims, bounds, projections, data-space sizes, MACs and params of
// single nodes (conv, grouped and depthwise conv, transposed conv, Gemm, MatMul, quantized forms).
#include <gtest/gtest.h>

#include "coda/workload/extract.h"
#include "coda/workload/problem_shapes.h"
#include "one_node.h"

namespace coda::workload {
namespace {

using graph::OpKind;
using testing::one_node;
using Ints = std::vector<int64_t>;

LayerWork only(const graph::Graph& g) {
  std::vector<LayerWork> w = extract(g);
  EXPECT_EQ(w.size(), 1u);
  return w.at(0);
}

// Writes a projection rank as "R*Wdilation+P*Wstride".
std::string rank_str(const Problem& p, const std::string& ds, int rank) {
  std::string s;
  const Problem::DataSpace& space = p.data_spaces.at(static_cast<size_t>(p.data_space_index(ds)));
  for (const Problem::Term& t : space.projection.at(static_cast<size_t>(rank))) {
    if (!s.empty()) s += "+";
    s += p.dims[static_cast<size_t>(t.dim)];
    if (t.coefficient >= 0) s += "*" + p.coefficients[static_cast<size_t>(t.coefficient)].name;
  }
  return s;
}

int64_t size_of(const Problem& p, const std::string& ds) { return p.data_space_size(p.data_space_index(ds)); }

// Conv 3 -> 4 channels, 3x3, stride 2, pad 1 on a 9x9 image: output (9 + 2 - 3) / 2 + 1 = 5.
TEST(ConvProblem, HandWorkedStridedConv) {
  graph::Graph g = one_node(OpKind::Conv, {{{1, 3, 9, 9}, DType::f32, false}, {{4, 3, 3, 3}}, {{4}}},
                            {{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}, {"kernel_shape", Ints{3, 3}}});
  LayerWork w = only(g);
  ASSERT_TRUE(w.problem.has_value());
  const Problem& p = *w.problem;
  EXPECT_EQ(p.name, "CNN-Layer");
  EXPECT_EQ(p.dims, (std::vector<std::string>{"R", "S", "P", "Q", "C", "K", "N"}));
  EXPECT_EQ(p.bounds, (Ints{3, 3, 5, 5, 3, 4, 1}));
  EXPECT_EQ(p.coefficients[p.coefficient_index("Wstride")].value, 2);
  EXPECT_EQ(p.coefficients[p.coefficient_index("Hstride")].value, 2);
  EXPECT_EQ(p.coefficients[p.coefficient_index("Wdilation")].value, 1);
  EXPECT_EQ(rank_str(p, "Weights", 0), "C");
  EXPECT_EQ(rank_str(p, "Weights", 1), "K");
  EXPECT_EQ(rank_str(p, "Inputs", 2), "R*Wdilation+P*Wstride");
  EXPECT_EQ(rank_str(p, "Inputs", 3), "S*Hdilation+Q*Hstride");
  EXPECT_EQ(rank_str(p, "Outputs", 2), "Q");
  EXPECT_EQ(rank_str(p, "Outputs", 3), "P");
  EXPECT_TRUE(p.data_spaces[p.data_space_index("Outputs")].read_write);
  EXPECT_FALSE(p.data_spaces[p.data_space_index("Inputs")].read_write);
  EXPECT_EQ(p.macs(), 5 * 5 * 4 * 3 * 3 * 3);  // 2700
  EXPECT_EQ(w.macs, 2700);
  EXPECT_EQ(size_of(p, "Weights"), 4 * 3 * 3 * 3);
  EXPECT_EQ(size_of(p, "Inputs"), 3 * 11 * 11);  // 2*(5-1) + (3-1) + 1 = 11: the padded window read
  EXPECT_EQ(size_of(p, "Outputs"), 4 * 5 * 5);
  EXPECT_EQ(w.params, 4 * 3 * 3 * 3 + 4);
  EXPECT_EQ(w.output_shape, (Shape{1, 4, 5, 5}));
  for (const auto& ds : p.data_spaces) EXPECT_EQ(ds.precision_bits, 32);
}

TEST(ConvProblem, DilationIsACoefficient) {
  graph::Graph g = one_node(OpKind::Conv, {{{2, 2, 12, 10}, DType::f32, false}, {{5, 2, 3, 3}}},
                            {{"dilations", Ints{2, 3}}});
  LayerWork w = only(g);
  const Problem& p = *w.problem;
  // Output H = 12 - 2*2 = 8, W = 10 - 3*2 = 4.
  EXPECT_EQ(p.bound("Q"), 8);
  EXPECT_EQ(p.bound("P"), 4);
  EXPECT_EQ(p.coefficients[p.coefficient_index("Hdilation")].value, 2);
  EXPECT_EQ(p.coefficients[p.coefficient_index("Wdilation")].value, 3);
  EXPECT_EQ(size_of(p, "Inputs"), 2 * 2 * 12 * 10);  // the dilated windows cover the whole input
}

TEST(ConvProblem, GroupedConvHasAGRank) {
  graph::Graph g = one_node(OpKind::Conv, {{{1, 4, 6, 6}, DType::f32, false}, {{6, 2, 3, 3}}}, {{"group", int64_t{2}}});
  LayerWork w = only(g);
  const Problem& p = *w.problem;
  EXPECT_EQ(p.name, "Grouped-CNN-Layer");
  EXPECT_EQ(p.bound("G"), 2);
  EXPECT_EQ(p.bound("K"), 3);
  EXPECT_EQ(p.bound("C"), 2);
  EXPECT_EQ(rank_str(p, "Weights", 0), "G");
  EXPECT_EQ(rank_str(p, "Inputs", 1), "G");
  EXPECT_EQ(rank_str(p, "Outputs", 1), "G");
  EXPECT_EQ(w.macs, 1 * 6 * (4 / 2) * 4 * 4 * 9);
  EXPECT_EQ(size_of(p, "Weights"), 6 * 2 * 9);
  EXPECT_EQ(size_of(p, "Inputs"), 4 * 6 * 6);
  EXPECT_EQ(size_of(p, "Outputs"), 6 * 4 * 4);
}

TEST(ConvProblem, DepthwiseConv) {
  graph::Graph g = one_node(OpKind::Conv, {{{1, 8, 5, 5}, DType::f32, false}, {{8, 1, 3, 3}}},
                            {{"group", int64_t{8}}, {"pads", Ints{1, 1, 1, 1}}});
  LayerWork w = only(g);
  EXPECT_EQ(w.problem->bound("G"), 8);
  EXPECT_EQ(w.problem->bound("K"), 1);
  EXPECT_EQ(w.problem->bound("C"), 1);
  EXPECT_EQ(w.macs, 8 * 5 * 5 * 9);
}

TEST(ConvProblem, OneDimensionalConvHasUnitHeight) {
  graph::Graph g = one_node(OpKind::Conv, {{{1, 2, 16}, DType::f32, false}, {{3, 2, 3}}});
  LayerWork w = only(g);
  const Problem& p = *w.problem;
  EXPECT_EQ(p.bound("P"), 14);
  EXPECT_EQ(p.bound("Q"), 1);
  EXPECT_EQ(p.bound("R"), 3);
  EXPECT_EQ(p.bound("S"), 1);
  EXPECT_EQ(p.macs(), 14 * 3 * 2 * 3);
}

TEST(ConvProblem, ThreeDimensionalConvHasMacsButNoProblem) {
  graph::Graph g = one_node(OpKind::Conv, {{{1, 2, 4, 5, 6}, DType::f32, false}, {{3, 2, 2, 2, 2}}});
  LayerWork w = only(g);
  EXPECT_FALSE(w.problem.has_value());
  EXPECT_EQ(w.macs, 3 * (3 * 4 * 5) * 2 * 8);  // 3 channels of 3x4x5 outputs, each 2 channels x 2x2x2 taps
}

TEST(ConvProblem, GroupThatDoesNotFitIsAnError) {
  graph::Graph g("bad");
  graph::ValueId x = g.add_input("x", DType::f32, {1, 4, 6, 6});
  graph::ValueId w = g.add_constant("w", Tensor(DType::f32, {6, 2, 3, 3}));
  graph::ValueId y = g.add_value("y", DType::f32);
  g.add_node(OpKind::Conv, "conv", {x, w}, {y}, {{"group", int64_t{3}}});
  g.mark_output(y);
  g.value(y).shape = {1, 6, 4, 4};  // as a wrong-but-static inference would leave it
  g.value(y).shape_known = true;
  try {
    extract(g);
    FAIL() << "no error";
  } catch (const InvalidError& e) {
    EXPECT_EQ(e.where(), "bad: node conv");
    EXPECT_NE(e.message().find("group 3 does not fit 4 input channels"), std::string::npos) << e.message();
  }
}

// ConvTranspose 4 -> 2, k4, s2, p1 on 5x5: output (5-1)*2 - 2 + 4 = 10.
TEST(ConvTransposeProblem, DirectScatterForm) {
  graph::Graph g = one_node(OpKind::ConvTranspose, {{{1, 4, 5, 5}, DType::f32, false}, {{4, 2, 4, 4}}, {{2}}},
                            {{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}});
  LayerWork w = only(g);
  const Problem& p = *w.problem;
  EXPECT_EQ(p.name, "ConvTranspose-Layer");
  EXPECT_EQ(w.output_shape, (Shape{1, 2, 10, 10}));
  EXPECT_EQ(w.macs, 1 * 4 * 5 * 5 * 2 * 4 * 4);  // N*Cin*H*W*Cout*kh*kw
  EXPECT_EQ(p.bound("P"), 5);                     // P, Q walk the input
  EXPECT_EQ(rank_str(p, "Outputs", 3), "R*Wdilation+P*Wstride");
  EXPECT_EQ(size_of(p, "Outputs"), 2 * 12 * 12);  // uncropped: (5-1)*2 + 4 = 12
  EXPECT_EQ(size_of(p, "Inputs"), 4 * 5 * 5);
  EXPECT_EQ(w.params, 4 * 2 * 16 + 2);
}

TEST(GemmProblem, TransposedWeight) {
  graph::Graph g = one_node(OpKind::Gemm, {{{3, 5}, DType::f32, false}, {{7, 5}}, {{7}}}, {{"transB", int64_t{1}}});
  LayerWork w = only(g);
  const Problem& p = *w.problem;
  EXPECT_EQ(p.name, "GEMM");
  EXPECT_EQ(p.dims, (std::vector<std::string>{"M", "N", "K"}));
  EXPECT_EQ(p.bounds, (Ints{3, 7, 5}));
  EXPECT_EQ(size_of(p, "Weights"), 35);
  EXPECT_EQ(size_of(p, "Inputs"), 15);
  EXPECT_EQ(size_of(p, "Outputs"), 21);
  EXPECT_EQ(w.params, 42);
}

TEST(MatMulProblem, WeightSharedByAllRowsFoldsBatchIntoM) {
  graph::Graph g = one_node(OpKind::MatMul, {{{2, 6, 8}, DType::f32, false}, {{8, 3}}});
  LayerWork w = only(g);
  EXPECT_EQ(w.problem->name, "GEMM");
  EXPECT_EQ(w.problem->bound("M"), 12);
  EXPECT_EQ(w.macs, 2 * 6 * 8 * 3);
  EXPECT_EQ(w.params, 24);
}

// Attention's Q Kᵀ: [batch 2, heads 4, 6 tokens, 8] x [2, 4, 8, 6].
TEST(MatMulProblem, AttentionIsABatchedGemm) {
  graph::Graph g = one_node(OpKind::MatMul, {{{2, 4, 6, 8}, DType::f32, false}, {{2, 4, 8, 6}, DType::f32, false}});
  LayerWork w = only(g);
  const Problem& p = *w.problem;
  EXPECT_EQ(p.name, "Batched-GEMM");
  EXPECT_EQ(p.bound("B"), 8);
  EXPECT_EQ(p.bound("M"), 6);
  EXPECT_EQ(p.bound("N"), 6);
  EXPECT_EQ(p.bound("K"), 8);
  EXPECT_EQ(rank_str(p, "Inputs", 0), "B");
  EXPECT_EQ(rank_str(p, "Weights", 0), "B");
  EXPECT_EQ(size_of(p, "Inputs"), 8 * 6 * 8);
  EXPECT_EQ(size_of(p, "Outputs"), 8 * 6 * 6);
  EXPECT_EQ(w.macs, 8 * 6 * 6 * 8);
  EXPECT_EQ(w.params, 0);
}

TEST(MatMulProblem, BroadcastLeftOperandIsNotBatched) {
  graph::Graph g = one_node(OpKind::MatMul, {{{6, 8}, DType::f32, false}, {{4, 8, 3}, DType::f32, false}});
  LayerWork w = only(g);
  const Problem& p = *w.problem;
  EXPECT_EQ(p.bound("B"), 4);
  EXPECT_EQ(size_of(p, "Inputs"), 48);  // read by every batch, stored once
  EXPECT_EQ(size_of(p, "Weights"), 4 * 8 * 3);
  EXPECT_EQ(p.macs(), 4 * 6 * 8 * 3);
}

TEST(QuantizedProblems, PrecisionFollowsTheElementTypes) {
  // QLinearConv(x u8, x_scale, x_zp, w i8, w_scale, w_zp, y_scale, y_zp, bias i32).
  graph::Graph qc = one_node(OpKind::QLinearConv,
                             {{{1, 3, 8, 8}, DType::u8, false}, {{}, DType::f32}, {{}, DType::u8}, {{4, 3, 3, 3}, DType::i8},
                              {{4}, DType::f32}, {{4}, DType::i8}, {{}, DType::f32}, {{}, DType::u8}, {{4}, DType::i32}});
  LayerWork w = only(qc);
  const Problem& p = *w.problem;
  EXPECT_EQ(p.data_spaces[p.data_space_index("Weights")].precision_bits, 8);
  EXPECT_EQ(p.data_spaces[p.data_space_index("Inputs")].precision_bits, 8);
  EXPECT_EQ(p.data_spaces[p.data_space_index("Outputs")].precision_bits, 8);
  EXPECT_EQ(w.macs, 6 * 6 * 4 * 3 * 9);
  EXPECT_EQ(w.params, 4 * 3 * 9 + 4);  // int8 weight + int32 bias, not scales or zero points

  graph::Graph ci = one_node(OpKind::ConvInteger, {{{1, 3, 8, 8}, DType::u8, false}, {{4, 3, 3, 3}, DType::i8}});
  EXPECT_EQ(only(ci).problem->data_spaces[2].precision_bits, 32);  // int32 accumulators
  graph::Graph mi = one_node(OpKind::MatMulInteger, {{{5, 16}, DType::i8, false}, {{16, 4}, DType::i8}});
  LayerWork m = only(mi);
  EXPECT_EQ(m.macs, 5 * 16 * 4);
  EXPECT_EQ(m.problem->data_spaces[0].precision_bits, 8);
  // QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp).
  graph::Graph qm = one_node(OpKind::QLinearMatMul,
                             {{{5, 16}, DType::u8, false}, {{}, DType::f32}, {{}, DType::u8}, {{16, 4}, DType::i8},
                              {{}, DType::f32}, {{}, DType::i8}, {{}, DType::f32}, {{}, DType::u8}});
  EXPECT_EQ(only(qm).macs, 5 * 16 * 4);
  EXPECT_EQ(only(qm).params, 64);
}

TEST(VectorWork, ElementsAndOperations) {
  LayerWork sm = only(one_node(OpKind::Softmax, {{{2, 3, 10}, DType::f32, false}}, {{"axis", int64_t{-1}}}));
  EXPECT_FALSE(sm.problem.has_value());
  EXPECT_EQ(sm.vector_elems, 60);
  EXPECT_EQ(sm.vector_ops, 5 * 60);
  EXPECT_EQ(sm.macs, 0);
  LayerWork mp = only(one_node(OpKind::MaxPool, {{{1, 2, 8, 8}, DType::f32, false}},
                               {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}}));
  EXPECT_EQ(mp.vector_elems, 2 * 3 * 3);
  EXPECT_EQ(mp.vector_ops, 2 * 3 * 3 * 9);
  LayerWork gap = only(one_node(OpKind::GlobalAveragePool, {{{1, 4, 7, 7}, DType::f32, false}}));
  EXPECT_EQ(gap.vector_elems, 4);
  EXPECT_EQ(gap.vector_ops, 4 * 49);
  LayerWork rs = only(one_node(OpKind::Reshape, {{{2, 6}, DType::f32, false}, {{2}, DType::i64}}));
  EXPECT_EQ(rs.vector_elems, 0);  // metadata only (the zero shape constant is [0, 0] -> copies dims)
  // BatchNormalization: scale and bias are parameters, running statistics are not.
  LayerWork bn = only(one_node(OpKind::BatchNormalization,
                               {{{1, 16, 4, 4}, DType::f32, false}, {{16}}, {{16}}, {{16}}, {{16}}}));
  EXPECT_EQ(bn.params, 32);
  EXPECT_EQ(bn.vector_ops, 2 * 16 * 16);
  // A bias added to a MatMul output is a parameter; a scalar divisor is not.
  EXPECT_EQ(only(one_node(OpKind::Add, {{{2, 8}, DType::f32, false}, {{8}}})).params, 8);
  EXPECT_EQ(only(one_node(OpKind::Div, {{{2, 8}, DType::f32, false}, {{}}})).params, 0);
}

TEST(Extract, TiedConstantsCountOnce) {
  graph::Graph g("tied");
  graph::ValueId x = g.add_input("x", DType::f32, {2, 4});
  graph::ValueId w = g.add_constant("w", Tensor(DType::f32, {4, 4}));
  graph::ValueId h = g.add_value("h"), y = g.add_value("y");
  g.add_node(OpKind::MatMul, "mm1", {x, w}, {h});
  g.add_node(OpKind::MatMul, "mm2", {h, w}, {y});
  g.mark_output(y);
  graph::infer_shapes(g);
  std::vector<LayerWork> layers = extract(g);
  EXPECT_EQ(layers[0].params, 16);
  EXPECT_EQ(layers[1].params, 0);
  EXPECT_EQ(totals(layers).macs, 2 * 2 * 4 * 4);
}

TEST(Extract, UnknownShapesAreAnError) {
  graph::Graph g("sym");
  graph::ValueId x = g.add_input("x", DType::f32, {-1, 4});
  graph::ValueId w = g.add_constant("w", Tensor(DType::f32, {4, 4}));
  graph::ValueId y = g.add_value("y");
  g.add_node(OpKind::MatMul, "mm", {x, w}, {y});
  g.mark_output(y);
  graph::infer_shapes(g);
  try {
    extract(g);
    FAIL() << "no error";
  } catch (const InvalidError& e) {
    EXPECT_EQ(e.where(), "sym: node mm");
    EXPECT_NE(e.message().find("not known statically"), std::string::npos) << e.message();
  }
}

TEST(ProblemFactories, ShapesWithoutAGraph) {
  Problem p = conv_problem({.N = 1, .K = 64, .C = 3, .P = 112, .Q = 112, .R = 7, .S = 7, .Wstride = 2, .Hstride = 2});
  EXPECT_EQ(p.macs(), 118013952);
  EXPECT_EQ(p.data_space_size(p.data_space_index("Inputs")), 3 * 229 * 229);
  EXPECT_EQ(p.bound("G"), 1);  // absent dims have bound 1
  EXPECT_EQ(p.dim_index("G"), -1);
  EXPECT_NO_THROW(check(p, "test"));
  Problem bad = p;
  bad.bounds[0] = 0;
  EXPECT_THROW(check(bad, "test"), InvalidError);
}

}  // namespace
}  // namespace coda::workload
