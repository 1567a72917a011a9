// Pooling (MaxPool indices, AveragePool count_include_pad, ceil_mode, global pools), BatchNorm,
// LayerNorm with its extra outputs, and Softmax / LogSoftmax under both opset semantics.
#include <tuple>

#include "kernel_test_util.h"

namespace coda::exec::testing {
namespace {

using Ints = std::vector<int64_t>;

TEST(MaxPool, ValuesAndIndices) {
  Tensor x = f32({1, 9, 3, 4, 2, 8, 7, 5, 6, 0, 11, 10, 15, 13, 14, 12}, {1, 1, 4, 4});
  Node n = make_node(OpKind::MaxPool, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}}, 2);
  std::vector<Tensor> y = run(n, {x});
  expect_values(y[0], {1, 1, 2, 2}, {9, 7, 15, 14});
  expect_values(y[1], {1, 1, 2, 2}, {1, 6, 12, 14});
  Node col = make_node(OpKind::MaxPool, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}, {"storage_order", 1}}, 2);
  expect_values(run(col, {x})[1], {1, 1, 2, 2}, {4, 9, 3, 11});  // column-major: h + 4 * w
}

TEST(MaxPool, PadsDilationsCeilModeAndInt8) {
  Tensor x = f32({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  expect_values(run1(make_node(OpKind::MaxPool, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}, {"ceil_mode", 1}}), {x}),
                {1, 1, 2, 2}, {5, 6, 8, 9});
  expect_values(run1(make_node(OpKind::MaxPool, {{"kernel_shape", Ints{2, 2}}, {"dilations", Ints{2, 2}}}), {x}), {1, 1, 1, 1}, {9});
  expect_values(run1(make_node(OpKind::MaxPool, {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}}),
                     {Tensor::from_vector<int8_t>({-5, -4, -3, -2, -1, -6, -7, -8, -9}, {1, 1, 3, 3})}),
                {1, 1, 3, 3}, {-1, -1, -1, -1, -1, -1, -1, -1, -1});
}

TEST(MaxPool, FastPathsAgreeWithTheIndexPath) {
  // The no-index kernels (2x2 / stride 2 special case, tap-major rows) against the per-output
  // index kernel, whose values are the plain definition.
  for (Shape s : {Shape{1, 2, 7, 9}, Shape{2, 3, 8, 8}, Shape{1, 1, 5}, Shape{1, 2, 3, 6, 5}}) {
    Tensor x = random_f32(s, 11);
    size_t r = s.size() - 2;
    for (const auto& [k, st, pad] : {std::tuple{2, 2, 0}, std::tuple{3, 2, 1}, std::tuple{2, 1, 0}, std::tuple{3, 3, 1}}) {
      std::map<std::string, Attribute> a{{"kernel_shape", Ints(r, k)}, {"strides", Ints(r, st)}, {"pads", Ints(2 * r, pad)}};
      Tensor fast = run1(make_node(OpKind::MaxPool, a), {x});
      Tensor with_idx = run(make_node(OpKind::MaxPool, a, 2), {x})[0];
      EXPECT_TRUE(same_bits(fast, with_idx)) << shape_str(s) << " k" << k << " s" << st << " p" << pad;
    }
  }
}

TEST(AveragePool, CountIncludePad) {
  Tensor x = f32({1, 2, 3, 4}, {1, 1, 2, 2});
  Node excl = make_node(OpKind::AveragePool, {{"kernel_shape", Ints{2, 2}}, {"pads", Ints{1, 1, 0, 0}}});
  expect_values(run1(excl, {x}), {1, 1, 2, 2}, {1, 1.5, 2, 2.5});
  Node incl = make_node(OpKind::AveragePool, {{"kernel_shape", Ints{2, 2}}, {"pads", Ints{1, 1, 0, 0}}, {"count_include_pad", 1}});
  expect_values(run1(incl, {x}), {1, 1, 2, 2}, {0.25, 0.75, 1, 2.5});
  // ceil_mode: the overhanging last window averages only what it covers
  Tensor r = f32({1, 2, 3, 4, 5}, {1, 1, 5});
  expect_values(run1(make_node(OpKind::AveragePool, {{"kernel_shape", Ints{2}}, {"strides", Ints{2}}, {"ceil_mode", 1}}), {r}),
                {1, 1, 3}, {1.5, 3.5, 5});
}

TEST(GlobalPool, AverageAndMax) {
  Tensor x = f32({1, 2, 3, 4, -1, -2, -3, -4}, {1, 2, 2, 2});
  expect_values(run1(make_node(OpKind::GlobalAveragePool), {x}), {1, 2, 1, 1}, {2.5, -2.5});
  expect_values(run1(make_node(OpKind::GlobalMaxPool), {x}), {1, 2, 1, 1}, {4, -1});
}

TEST(Pool, LargeIsThreadCountIndependent) {
  Tensor x = random_f32({2, 16, 33, 31}, 3);
  run_both(make_node(OpKind::MaxPool, {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}, 2), {x});
  run_both(make_node(OpKind::AveragePool, {{"kernel_shape", Ints{3, 3}}, {"auto_pad", "SAME_UPPER"}}), {x});
}

TEST(BatchNormalization, Inference) {
  Tensor x = f32({1, 2, 3, 4}, {1, 2, 2, 1});
  Tensor scale = f32({2, 1}, {2}), bias = f32({1, 0}, {2}), mean = f32({1, 4}, {2}), var = f32({4, 1}, {2});
  Tensor y = run1(make_node(OpKind::BatchNormalization, {{"epsilon", 0.f}}), {x, scale, bias, mean, var});
  expect_values(y, {1, 2, 2, 1}, {1, 2, -1, 0});
  EXPECT_THROW(run1(make_node(OpKind::BatchNormalization), {x, f32({1}, {1}), bias, mean, var}), InvalidError);
}

TEST(LayerNormalization, AxisAndStatistics) {
  Tensor x = f32({1, 3, 2, 2, 0, 4}, {2, 3});
  Tensor scale = f32({1, 2, 1}, {3}), bias = f32({0, 0, 1}, {3});
  std::vector<Tensor> y = run(make_node(OpKind::LayerNormalization, {{"epsilon", 0.f}}, 3), {x, scale, bias});
  // row 0: mean 2, var 2/3; row 1: mean 2, var 8/3
  double s0 = std::sqrt(2.0 / 3), s1 = std::sqrt(8.0 / 3);
  expect_close(y[0], f32({float(-1 / s0), float(2 / s0), float(0 / s0 + 1), 0, float(-4 / s1), float(2 / s1 + 1)}, {2, 3}), 1e-6, 1e-6);
  expect_close(y[1], f32({2, 2}, {2, 1}));
  expect_close(y[2], f32({float(1 / s0), float(1 / s1)}, {2, 1}), 1e-6, 1e-6);
  // axis 0 normalises everything at once; scale broadcasts to [2,3]
  Tensor all = run1(make_node(OpKind::LayerNormalization, {{"axis", 0}, {"epsilon", 0.f}}), {x, f32({1}, {1})});
  double m = 2, v = (1 + 1 + 0 + 0 + 4 + 4) / 6.0;
  EXPECT_NEAR(all.data<float>()[5], (4 - m) / std::sqrt(v), 1e-6);
}

TEST(Softmax, Opset13SingleAxisVersusLegacyCoercion) {
  Tensor x = f32({0, 1, 2, 3}, {2, 2});
  Tensor y13 = run1(make_node(OpKind::Softmax, {{"axis", 0}, {"_opset", 13}}), {x});
  double e = std::exp(2.0);
  expect_close(y13, f32({float(1 / (1 + e)), float(1 / (1 + e)), float(e / (1 + e)), float(e / (1 + e))}, {2, 2}), 1e-6, 1e-7);
  // opset 11, axis 0: the whole tensor is one row
  Tensor y11 = run1(make_node(OpKind::Softmax, {{"axis", 0}, {"_opset", 11}}), {x});
  double z = 1 + std::exp(1.0) + e + std::exp(3.0);
  expect_close(y11, f32({float(1 / z), float(std::exp(1.0) / z), float(e / z), float(std::exp(3.0) / z)}, {2, 2}), 1e-6, 1e-7);
  // defaults: opset 13 -> last axis; opset 11 -> axis 1 (same here for a 2-D input)
  Tensor x3 = random_f32({2, 3, 4}, 1, -50, 50);
  Tensor d13 = run1(make_node(OpKind::Softmax), {x3});
  for (int r = 0; r < 6; ++r) {
    double s = 0;
    for (int i = 0; i < 4; ++i) s += d13.data<float>()[r * 4 + i];
    EXPECT_NEAR(s, 1.0, 1e-6);
  }
  Tensor d11 = run1(make_node(OpKind::Softmax, {{"_opset", 11}}), {x3});
  for (int r = 0; r < 2; ++r) {
    double s = 0;
    for (int i = 0; i < 12; ++i) s += d11.data<float>()[r * 12 + i];
    EXPECT_NEAR(s, 1.0, 1e-6);
  }
  Tensor ls = run1(make_node(OpKind::LogSoftmax), {f32({1000, 1000}, {2})});
  expect_close(ls, f32({float(-std::log(2.0)), float(-std::log(2.0))}, {2}), 1e-6, 1e-7);
}

}  // namespace
}  // namespace coda::exec::testing
