// Shape plumbing: Reshape, Flatten, Squeeze / Unsqueeze (attribute and input forms), Transpose,
// Concat, Split, Slice, Gather, Expand, Pad, DepthToSpace, Resize, Shape, Range, ConstantOfShape,
// Constant, Cast, Identity, Dropout, and the reductions.
#include <algorithm>

#include "kernel_test_util.h"

namespace coda::exec::testing {
namespace {

using Ints = std::vector<int64_t>;

Tensor iota(Shape s) {
  Tensor t(DType::f32, s);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = float(i);
  return t;
}

TEST(Reshape, ZeroCopiesAndMinusOneInfers) {
  Tensor x = iota({2, 3, 4});
  EXPECT_EQ(run1(make_node(OpKind::Reshape), {x, i64v({0, -1})}).shape(), (Shape{2, 12}));
  EXPECT_EQ(run1(make_node(OpKind::Reshape), {x, i64v({-1, 0, 2})}).shape(), (Shape{4, 3, 2}));
  Tensor empty = iota({0, 3});
  EXPECT_EQ(run1(make_node(OpKind::Reshape, {{"allowzero", 1}}), {empty, i64v({3, 0})}).shape(), (Shape{3, 0}));
  EXPECT_THROW(run1(make_node(OpKind::Reshape, {{"allowzero", 1}}), {x, i64v({0, 24})}), InvalidError);
  EXPECT_THROW(run1(make_node(OpKind::Reshape), {x, i64v({-1, -1})}), InvalidError);
  EXPECT_THROW(run1(make_node(OpKind::Reshape), {x, i64v({5, -1})}), InvalidError);
  EXPECT_THROW(run1(make_node(OpKind::Reshape), {x, i64v({-2, 12})}), InvalidError);
}

TEST(Flatten, Axes) {
  Tensor x = iota({2, 3, 4});
  EXPECT_EQ(run1(make_node(OpKind::Flatten), {x}).shape(), (Shape{2, 12}));
  EXPECT_EQ(run1(make_node(OpKind::Flatten, {{"axis", 0}}), {x}).shape(), (Shape{1, 24}));
  EXPECT_EQ(run1(make_node(OpKind::Flatten, {{"axis", -1}}), {x}).shape(), (Shape{6, 4}));
  EXPECT_EQ(run1(make_node(OpKind::Flatten, {{"axis", 3}}), {x}).shape(), (Shape{24, 1}));
  EXPECT_THROW(run1(make_node(OpKind::Flatten, {{"axis", 4}}), {x}), InvalidError);
}

TEST(SqueezeUnsqueeze, AttributeAndInputForms) {
  Tensor x = iota({1, 3, 1, 2});
  EXPECT_EQ(run1(make_node(OpKind::Squeeze), {x}).shape(), (Shape{3, 2}));
  EXPECT_EQ(run1(make_node(OpKind::Squeeze, {{"axes", Ints{-2}}}), {x}).shape(), (Shape{1, 3, 2}));
  EXPECT_EQ(run1(make_node(OpKind::Squeeze), {x, i64v({0})}).shape(), (Shape{3, 1, 2}));
  EXPECT_THROW(run1(make_node(OpKind::Squeeze), {x, i64v({1})}), InvalidError);
  EXPECT_EQ(run1(make_node(OpKind::Unsqueeze, {{"axes", Ints{0, -1}}}), {iota({3})}).shape(), (Shape{1, 3, 1}));
  EXPECT_EQ(run1(make_node(OpKind::Unsqueeze), {iota({3, 2}), i64v({3, 1})}).shape(), (Shape{3, 1, 2, 1}));
  EXPECT_THROW(run1(make_node(OpKind::Unsqueeze), {iota({3}), i64v({1, 1})}), InvalidError);
}

TEST(Transpose, PermAndDefault) {
  Tensor x = iota({2, 3});
  expect_values(run1(make_node(OpKind::Transpose), {x}), {3, 2}, {0, 3, 1, 4, 2, 5});
  Tensor y = run_both(make_node(OpKind::Transpose, {{"perm", Ints{2, 0, 1}}}), {iota({40, 50, 60})})[0];
  ASSERT_EQ(y.shape(), (Shape{60, 40, 50}));
  EXPECT_EQ(y.data<float>()[(7 * 40 + 3) * 50 + 11], float((3 * 50 + 11) * 60 + 7));
  EXPECT_THROW(run1(make_node(OpKind::Transpose, {{"perm", Ints{0, 0}}}), {x}), InvalidError);
}

TEST(Transpose, EveryPermutationOfA4DTensorMatchesIndexing) {
  const Shape s{3, 5, 17, 20};
  Tensor x = iota(s);
  Ints perm{0, 1, 2, 3};
  do {
    Tensor y = run1(make_node(OpKind::Transpose, {{"perm", perm}}), {x});
    Shape st = shape_strides(s), ys = y.shape(), yst = shape_strides(ys);
    bool ok = true;
    for (int64_t i = 0; i < y.numel() && ok; ++i) {
      int64_t src = 0;
      for (size_t d = 0; d < 4; ++d) src += ((i / yst[d]) % ys[d]) * st[perm[d]];
      ok = y.data<float>()[i] == float(src);
    }
    EXPECT_TRUE(ok) << shape_str(perm);
  } while (std::next_permutation(perm.begin(), perm.end()));
}

TEST(ConcatSplit, RoundTrip) {
  Tensor a = iota({2, 2}), b = f32({9, 8, 7, 6, 5, 4}, {2, 3});
  Tensor c = run1(make_node(OpKind::Concat, {{"axis", -1}}), {a, b});
  expect_values(c, {2, 5}, {0, 1, 9, 8, 7, 2, 3, 6, 5, 4});
  EXPECT_THROW(run1(make_node(OpKind::Concat, {{"axis", 0}}), {a, b}), InvalidError);
  std::vector<Tensor> parts = run(make_node(OpKind::Split, {{"axis", 1}}, 2), {c, i64v({2, 3})});
  EXPECT_TRUE(same_bits(parts[0], a));
  EXPECT_TRUE(same_bits(parts[1], b));
  std::vector<Tensor> attr = run(make_node(OpKind::Split, {{"axis", 1}, {"split", Ints{4, 1}}}, 2), {c});
  EXPECT_EQ(attr[1].shape(), (Shape{2, 1}));
  std::vector<Tensor> equal = run(make_node(OpKind::Split, {}, 3), {iota({6})});
  expect_values(equal[2], {2}, {4, 5});
  std::vector<Tensor> uneven = run(make_node(OpKind::Split, {{"num_outputs", 3}}, 3), {iota({7})});
  expect_values(uneven[2], {1}, {6});
  EXPECT_THROW(run(make_node(OpKind::Split, {}, 2), {iota({6}), i64v({2, 3})}), InvalidError);
}

TEST(Slice, NegativeStepsClampingAndAxes) {
  Tensor x = iota({10});
  expect_values(run1(make_node(OpKind::Slice), {x, i64v({-1}), i64v({-100}), i64v({0}), i64v({-3})}), {4}, {9, 6, 3, 0});
  expect_values(run1(make_node(OpKind::Slice), {x, i64v({2}), i64v({1000})}), {8}, {2, 3, 4, 5, 6, 7, 8, 9});
  expect_values(run1(make_node(OpKind::Slice), {x, i64v({20}), i64v({30})}), {0}, {});
  expect_values(run1(make_node(OpKind::Slice), {x, i64v({5}), i64v({INT64_MIN}), i64v({0}), i64v({-2})}), {3}, {5, 3, 1});
  Tensor m = iota({3, 4});
  expect_values(run1(make_node(OpKind::Slice), {m, i64v({1, 0}), i64v({4, 2}), i64v({-1, 0})}), {2, 3}, {1, 2, 3, 5, 6, 7});
  expect_values(run1(make_node(OpKind::Slice, {{"starts", Ints{1}}, {"ends", Ints{2}}, {"axes", Ints{0}}, {"_opset", 9}}), {m}),
                {1, 4}, {4, 5, 6, 7});
  EXPECT_THROW(run1(make_node(OpKind::Slice), {x, i64v({0}), i64v({5}), i64v({0}), i64v({0})}), InvalidError);
}

TEST(Gather, NegativeIndicesAndAxis) {
  Tensor x = iota({3, 4});
  expect_values(run1(make_node(OpKind::Gather), {x, i64({-1, 0}, {2})}), {2, 4}, {8, 9, 10, 11, 0, 1, 2, 3});
  Tensor y = run1(make_node(OpKind::Gather, {{"axis", 1}}), {x, Tensor::from_vector<int32_t>({3, 1, 1, 0}, {2, 2})});
  expect_values(y, {3, 2, 2}, {3, 1, 1, 0, 7, 5, 5, 4, 11, 9, 9, 8});
  expect_values(run1(make_node(OpKind::Gather), {x, Tensor::scalar<int64_t>(1)}), {4}, {4, 5, 6, 7});
  EXPECT_THROW(run1(make_node(OpKind::Gather), {x, i64({3}, {1})}), InvalidError);
  EXPECT_THROW(run1(make_node(OpKind::Gather), {x, i64({-4}, {1})}), InvalidError);
}

TEST(Expand, Bidirectional) {
  expect_values(run1(make_node(OpKind::Expand), {f32({1, 2}, {2, 1}), i64v({2, 1, 3})}), {2, 2, 3},
                {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2});
  EXPECT_EQ(run1(make_node(OpKind::Expand), {iota({3, 1}), i64v({1})}).shape(), (Shape{3, 1}));
  EXPECT_THROW(run1(make_node(OpKind::Expand), {iota({3}), i64v({2})}), InvalidError);
}

TEST(Pad, ModesNegativePadsAndAxes) {
  Tensor x = f32({1, 2, 3}, {3});
  expect_values(run1(make_node(OpKind::Pad), {x, i64v({2, 1}), Tensor::scalar<float>(9.f)}), {6}, {9, 9, 1, 2, 3, 9});
  expect_values(run1(make_node(OpKind::Pad, {{"mode", "reflect"}}), {x, i64v({2, 2})}), {7}, {3, 2, 1, 2, 3, 2, 1});
  expect_values(run1(make_node(OpKind::Pad, {{"mode", "edge"}}), {x, i64v({2, 1})}), {6}, {1, 1, 1, 2, 3, 3});
  expect_values(run1(make_node(OpKind::Pad), {x, i64v({-1, 1})}), {3}, {2, 3, 0});
  Tensor m = iota({2, 2});
  expect_values(run1(make_node(OpKind::Pad), {m, i64v({1, 0}), Tensor(), i64v({-1})}), {2, 3}, {0, 0, 1, 0, 2, 3});
  expect_values(run1(make_node(OpKind::Pad, {{"pads", Ints{1, 0, 0, 0}}, {"value", 5.f}, {"_opset", 2}}), {m}), {3, 2},
                {5, 5, 0, 1, 2, 3});
  EXPECT_THROW(run1(make_node(OpKind::Pad), {x, i64v({-2, -2})}), InvalidError);
  EXPECT_THROW(run1(make_node(OpKind::Pad, {{"mode", "wrap"}}), {x, i64v({1, 1})}), UnsupportedError);
}

TEST(DepthToSpace, DcrAndCrd) {
  Tensor x = iota({1, 4, 1, 2});  // channels c0..c3, each [1,2]
  // DCR: out[0, 0, h*2 + i, w*2 + j] = x[0, (i*2 + j), h, w]
  expect_values(run1(make_node(OpKind::DepthToSpace, {{"blocksize", 2}}), {x}), {1, 1, 2, 4}, {0, 2, 1, 3, 4, 6, 5, 7});
  Tensor y = iota({1, 8, 1, 1});
  // CRD: channel c*4 + i*2 + j
  expect_values(run1(make_node(OpKind::DepthToSpace, {{"blocksize", 2}, {"mode", "CRD"}}), {y}), {1, 2, 2, 2},
                {0, 1, 2, 3, 4, 5, 6, 7});
  expect_values(run1(make_node(OpKind::DepthToSpace, {{"blocksize", 2}, {"mode", "DCR"}}), {y}), {1, 2, 2, 2},
                {0, 2, 4, 6, 1, 3, 5, 7});
}

TEST(Resize, NearestModes) {
  Tensor x = f32({1, 2, 3, 4}, {1, 1, 2, 2});
  Tensor up = run1(make_node(OpKind::Resize, {{"mode", "nearest"}}), {x, Tensor(), f32({1, 1, 2, 2}, {4})});
  expect_values(up, {1, 1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  Tensor r = f32({1, 2, 3, 4, 5}, {5});
  // sizes 3, asymmetric floor: src = o * 5/3 -> 0, 1.67, 3.33 -> 0, 1, 3
  expect_values(run1(make_node(OpKind::Resize, {{"coordinate_transformation_mode", "asymmetric"}, {"nearest_mode", "floor"}}),
                     {r, Tensor(), Tensor(), i64v({3})}),
                {3}, {1, 2, 4});
  // align_corners, round_prefer_ceil: src = o * 4/2 -> 0, 2, 4
  expect_values(run1(make_node(OpKind::Resize, {{"coordinate_transformation_mode", "align_corners"}, {"nearest_mode", "round_prefer_ceil"}}),
                     {r, Tensor(), Tensor(), i64v({3})}),
                {3}, {1, 3, 5});
  EXPECT_THROW(run1(make_node(OpKind::Resize, {{"mode", "linear"}}), {x, Tensor(), f32({1, 1, 2, 2}, {4})}), UnsupportedError);
  EXPECT_THROW(run1(make_node(OpKind::Resize), {x, Tensor(), f32({1, 1, 2}, {3})}), InvalidError);
}

TEST(Generators, ShapeRangeConstantOfShapeConstantCast) {
  Tensor x = iota({2, 3, 4});
  expect_values(run1(make_node(OpKind::Shape), {x}), {3}, {2, 3, 4});
  expect_values(run1(make_node(OpKind::Shape, {{"start", -2}, {"end", 10}}), {x}), {2}, {3, 4});
  expect_values(run1(make_node(OpKind::Range), {Tensor::scalar<int32_t>(10), Tensor::scalar<int32_t>(4), Tensor::scalar<int32_t>(-3)}),
                {2}, {10, 7});
  expect_values(run1(make_node(OpKind::Range), {Tensor::scalar<float>(1), Tensor::scalar<float>(2), Tensor::scalar<float>(0.25f)}),
                {4}, {1, 1.25, 1.5, 1.75});
  Tensor c = run1(make_node(OpKind::ConstantOfShape, {{"value", Tensor::from_vector<int32_t>({7}, {1})}}), {i64v({2, 2})});
  EXPECT_EQ(c.dtype(), DType::i32);
  expect_values(c, {2, 2}, {7, 7, 7, 7});
  expect_values(run1(make_node(OpKind::ConstantOfShape), {i64v({})}), {}, {0});
  expect_values(run1(make_node(OpKind::Constant, {{"value_ints", Ints{1, 2}}}), {}), {2}, {1, 2});
  expect_values(run1(make_node(OpKind::Constant, {{"value_float", 1.5f}}), {}), {}, {1.5});
  Tensor cast = run1(make_node(OpKind::Cast, {{"to", 6}}), {f32({-1.7f, 2.9f}, {2})});
  EXPECT_EQ(cast.dtype(), DType::i32);
  expect_values(cast, {2}, {-1, 2});
  EXPECT_THROW(run1(make_node(OpKind::Cast, {{"to", 10}}), {x}), UnsupportedError);  // float16
}

TEST(Dropout, InferenceIsIdentityWithTrueMask) {
  Tensor x = iota({3});
  std::vector<Tensor> y = run(make_node(OpKind::Dropout, {}, 2), {x, Tensor::scalar<float>(0.5f)});
  EXPECT_TRUE(same_bits(y[0], x));
  expect_values(y[1], {3}, {1, 1, 1});
  EXPECT_THROW(run(make_node(OpKind::Dropout), {x, Tensor::scalar<float>(0.5f), Tensor::scalar<bool>(true)}), UnsupportedError);
}

TEST(Reduce, AxesAttributeInputKeepdimsNoop) {
  Tensor x = iota({2, 3});
  expect_values(run1(make_node(OpKind::ReduceSum), {x, i64v({1})}), {2, 1}, {3, 12});
  expect_values(run1(make_node(OpKind::ReduceSum, {{"keepdims", 0}}), {x}), {}, {15});
  expect_values(run1(make_node(OpKind::ReduceSum, {{"noop_with_empty_axes", 1}}), {x, i64v({})}), {2, 3}, {0, 1, 2, 3, 4, 5});
  expect_values(run1(make_node(OpKind::ReduceMean, {{"axes", Ints{0}}, {"keepdims", 0}}), {x}), {3}, {1.5, 2.5, 3.5});
  expect_values(run1(make_node(OpKind::ReduceMax, {{"axes", Ints{-1}}}), {x}), {2, 1}, {2, 5});
  Tensor xi = Tensor::from_vector<int32_t>({1, -5, 3, 7}, {2, 2});
  expect_values(run1(make_node(OpKind::ReduceMax, {{"axes", Ints{0}}}), {xi}), {1, 2}, {3, 7});
  Tensor big = random_f32({7, 33, 45}, 2);
  Tensor s = run_both(make_node(OpKind::ReduceMean, {{"axes", Ints{0, 2}}}), {big})[0];
  double want = 0;
  for (int a = 0; a < 7; ++a)
    for (int c = 0; c < 45; ++c) want += big.data<float>()[(a * 33 + 4) * 45 + c];
  EXPECT_NEAR(s.data<float>()[4], want / (7 * 45), 1e-6);
  EXPECT_THROW(run1(make_node(OpKind::ReduceSum), {x, i64v({2})}), InvalidError);
}

}  // namespace
}  // namespace coda::exec::testing
