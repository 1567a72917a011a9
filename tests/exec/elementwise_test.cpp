// Element-wise kernels: broadcasting, integer wrapping, Pow's mixed types, comparisons, Where,
// Clip in both opset forms, activations against closed forms.
#include <limits>

#include "kernel_test_util.h"

namespace coda::exec::testing {
namespace {

TEST(Elementwise, AddBroadcastsRowAndColumn) {
  Tensor a = f32({1, 2, 3}, {3, 1});
  Tensor b = f32({10, 20}, {1, 2});
  expect_values(run1(make_node(OpKind::Add), {a, b}), {3, 2}, {11, 21, 12, 22, 13, 23});
}

TEST(Elementwise, SubAndMulBroadcastScalarAndRank) {
  Tensor a = f32({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_values(run1(make_node(OpKind::Sub), {a, Tensor::scalar<float>(1.f)}), {2, 3}, {0, 1, 2, 3, 4, 5});
  expect_values(run1(make_node(OpKind::Mul), {f32({2, 3, 4}, {3}), a}), {2, 3}, {2, 6, 12, 8, 15, 24});
}

TEST(Elementwise, MismatchedShapesAreInvalid) {
  try {
    run1(make_node(OpKind::Add), {f32({1, 2, 3}, {3}), f32({1, 2}, {2})});
    FAIL() << "no error";
  } catch (const InvalidError& e) {
    EXPECT_NE(std::string(e.where()).find("test_Add"), std::string::npos);
    EXPECT_NE(e.message().find("cannot be broadcast"), std::string::npos);
  }
}

TEST(Elementwise, IntegerArithmeticWraps) {
  Tensor a = Tensor::from_vector<uint8_t>({250, 3}, {2});
  Tensor b = Tensor::from_vector<uint8_t>({10, 5}, {2});
  expect_values(run1(make_node(OpKind::Add), {a, b}), {2}, {4, 8});
  expect_values(run1(make_node(OpKind::Sub), {a, b}), {2}, {240, 254});
  Tensor c = Tensor::from_vector<int32_t>({std::numeric_limits<int32_t>::max()}, {1});
  expect_values(run1(make_node(OpKind::Add), {c, Tensor::from_vector<int32_t>({1}, {1})}), {1},
                {double(std::numeric_limits<int32_t>::min())});
}

TEST(Elementwise, IntegerDivisionTruncatesAndRejectsZero) {
  Tensor a = Tensor::from_vector<int32_t>({7, -7, std::numeric_limits<int32_t>::min()}, {3});
  Tensor b = Tensor::from_vector<int32_t>({2, 2, -1}, {3});
  expect_values(run1(make_node(OpKind::Div), {a, b}), {3}, {3, -3, double(std::numeric_limits<int32_t>::min())});
  EXPECT_THROW(run1(make_node(OpKind::Div), {a, Tensor::from_vector<int32_t>({0}, {1})}), InvalidError);
}

TEST(Elementwise, MixedDtypesAreInvalid) {
  EXPECT_THROW(run1(make_node(OpKind::Add), {f32({1}, {1}), i64({1}, {1})}), InvalidError);
}

TEST(Elementwise, PowMixedTypes) {
  // float base, int exponent; int base, float exponent (result truncated toward zero); int^int exact.
  expect_values(run1(make_node(OpKind::Pow), {f32({2, 3, 4}, {3}), i64({3, 2, -1}, {3})}), {3}, {8, 9, 0.25});
  Tensor ib = Tensor::from_vector<int32_t>({2, 9, 5}, {3});
  expect_values(run1(make_node(OpKind::Pow), {ib, f32({0.5f, 0.5f, 2.f}, {3})}), {3}, {1, 3, 25});
  expect_values(run1(make_node(OpKind::Pow), {i64({3, -2, 7}, {3}), i64({39, 3, 0}, {3})}), {3},
                {4052555153018976267.0, -8, 1});
  expect_values(run1(make_node(OpKind::Pow), {f32({-3, 1.5f}, {2}), Tensor::scalar<float>(2.f)}), {2}, {9, 2.25});
}

TEST(Elementwise, VariadicMaxMinBroadcastAndPropagateNaN) {
  Tensor a = f32({1, 5, 3}, {3}), b = f32({4}, {1}), c = f32({0, 0, NAN, 9, 9, 9}, {2, 3});
  expect_values(run1(make_node(OpKind::Max), {a, b, c}), {2, 3}, {4, 5, NAN, 9, 9, 9});
  expect_values(run1(make_node(OpKind::Min), {a, b}), {3}, {1, 4, 3});
  expect_values(run1(make_node(OpKind::Max), {a}), {3}, {1, 5, 3});
}

TEST(Elementwise, ComparisonsGiveBool) {
  Tensor a = i64({1, 2, 3}, {3}), b = i64({2}, {1});
  Tensor eq = run1(make_node(OpKind::Equal), {a, b});
  EXPECT_EQ(eq.dtype(), DType::boolean);
  expect_values(eq, {3}, {0, 1, 0});
  expect_values(run1(make_node(OpKind::Less), {a, b}), {3}, {1, 0, 0});
  expect_values(run1(make_node(OpKind::Greater), {a, b}), {3}, {0, 0, 1});
  Tensor t = Tensor::from_vector<bool>({true, false}, {2});
  expect_values(run1(make_node(OpKind::Not), {t}), {2}, {0, 1});
  EXPECT_THROW(run1(make_node(OpKind::Not), {a}), UnsupportedError);
}

TEST(Elementwise, WhereBroadcastsAllThree) {
  Tensor c = Tensor::from_vector<bool>({true, false}, {2, 1});
  Tensor x = f32({1, 2, 3}, {3}), y = Tensor::scalar<float>(-1.f);
  expect_values(run1(make_node(OpKind::Where), {c, x, y}), {2, 3}, {1, 2, 3, -1, -1, -1});
}

TEST(Elementwise, ClipAttributeAndInputForms) {
  Tensor x = f32({-5, -1, 0, 2, 8}, {5});
  expect_values(run1(make_node(OpKind::Clip, {{"min", -2.f}, {"max", 3.f}, {"_opset", 6}}), {x}), {5}, {-2, -1, 0, 2, 3});
  expect_values(run1(make_node(OpKind::Clip), {x, Tensor::scalar<float>(-2.f), Tensor::scalar<float>(3.f)}), {5},
                {-2, -1, 0, 2, 3});
  expect_values(run1(make_node(OpKind::Clip), {x, Tensor(), Tensor::scalar<float>(1.f)}), {5}, {-5, -1, 0, 1, 1});
  Tensor xi = Tensor::from_vector<int8_t>({-128, 0, 127}, {3});
  expect_values(run1(make_node(OpKind::Clip), {xi, Tensor::scalar<int8_t>(-3)}), {3}, {-3, 0, 127});
}

TEST(Elementwise, ActivationsMatchClosedForms) {
  Tensor x = f32({-30, -1, 0, 0.5f, 30}, {5});
  Tensor s = run1(make_node(OpKind::Sigmoid), {x});
  Tensor g = run1(make_node(OpKind::Gelu), {x});
  Tensor gt = run1(make_node(OpKind::Gelu, {{"approximate", "tanh"}}), {x});
  Tensor lr = run1(make_node(OpKind::LeakyRelu, {{"alpha", 0.1f}}), {x});
  for (int i = 0; i < 5; ++i) {
    double v = x.data<float>()[i];
    EXPECT_NEAR(s.data<float>()[i], 1 / (1 + std::exp(-v)), 1e-7);
    EXPECT_NEAR(g.data<float>()[i], 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))), 1e-6);
    EXPECT_NEAR(gt.data<float>()[i], 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))), 1e-6);
    EXPECT_FLOAT_EQ(lr.data<float>()[i], v < 0 ? 0.1f * float(v) : float(v));
  }
  expect_values(run1(make_node(OpKind::Relu), {Tensor::from_vector<int8_t>({-3, 4}, {2})}), {2}, {0, 4});
  expect_values(run1(make_node(OpKind::Abs), {Tensor::from_vector<int8_t>({-3, 4}, {2})}), {2}, {3, 4});
  expect_values(run1(make_node(OpKind::Neg), {f32({-3, 4}, {2})}), {2}, {3, -4});
  expect_values(run1(make_node(OpKind::Floor), {f32({-1.5f, 2.5f}, {2})}), {2}, {-2, 2});
  expect_values(run1(make_node(OpKind::Ceil), {f32({-1.5f, 2.5f}, {2})}), {2}, {-1, 3});
  expect_values(run1(make_node(OpKind::Reciprocal), {f32({4, -0.5f}, {2})}), {2}, {0.25, -2});
  EXPECT_THROW(run1(make_node(OpKind::Sqrt), {i64({4}, {1})}), UnsupportedError);
}

TEST(Elementwise, LargeBroadcastSameBitsAtAnyThreadCount) {
  Tensor a = random_f32({64, 33, 40}, 1), b = random_f32({33, 1}, 2);
  std::vector<Tensor> y = run_both(make_node(OpKind::Add), {a, b});
  EXPECT_EQ(y[0].data<float>()[40 * 33 + 5], a.data<float>()[40 * 33 + 5] + b.data<float>()[0]);
}

}  // namespace
}  // namespace coda::exec::testing
