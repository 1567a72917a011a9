// The vector math functions against libm (and identical bits on every instruction set this CPU
// runs), and the fused-activation attributes of Conv / Gemm / MatMul against separate ops.
#include <limits>

#include "coda/exec/gemm.h"
#include "coda/exec/vecmath.h"
#include "kernel_test_util.h"

namespace coda::exec::testing {
namespace {

std::vector<float> sample_points() {
  std::vector<float> x;
  for (float v = -110.f; v <= 110.f; v += 0.0137f) x.push_back(v);
  for (float v : {0.f, -0.f, 1e-30f, -1e-30f, 88.7f, 88.72f, 89.f, -87.f, -103.f, -104.f, 1e30f, -1e30f,
                  std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()})
    x.push_back(v);
  return x;
}

double rel_err(double got, double want) {
  if (std::isinf(want)) return got == want ? 0 : 1;
  return std::fabs(got - want) / std::max(std::fabs(want), 1e-30);
}

TEST(VecMath, CloseToLibm) {
  std::vector<float> x = sample_points();
  std::vector<float> y(x.size());
  const int64_t n = static_cast<int64_t>(x.size());
  kern::vexp(x.data(), y.data(), n);
  for (size_t i = 0; i < x.size(); ++i) {
    double want = double(float(std::exp(double(x[i]))));  // inf above FLT_MAX
    if (want < std::numeric_limits<float>::min()) EXPECT_NEAR(y[i], want, 3e-45) << x[i];  // denormals: absolute
    else EXPECT_LE(rel_err(y[i], want), 4e-7) << "exp(" << x[i] << ") = " << y[i];
  }
  kern::verf(x.data(), y.data(), n);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(y[i], std::erf(double(x[i])), 1e-6) << x[i];
  kern::vtanh(x.data(), y.data(), n);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(y[i], std::tanh(double(x[i])), 1e-6) << x[i];
  kern::vsigmoid(x.data(), y.data(), n);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(y[i], 1 / (1 + std::exp(-double(x[i]))), 1e-6) << x[i];
  float nan = std::numeric_limits<float>::quiet_NaN(), out;
  for (auto f : {kern::vexp, kern::verf, kern::vtanh, kern::vsigmoid, kern::vgelu}) {
    f(&nan, &out, 1);
    EXPECT_TRUE(std::isnan(out));
  }
}

TEST(VecMath, EveryInstructionSetGivesTheSameBits) {
  using namespace kern;
  std::vector<float> x = sample_points();
  const int64_t n = static_cast<int64_t>(x.size());
  const VecMath* tables[] = {&vecmath_generic::table, &vecmath_avx2::table, &vecmath_avx512::table};
  const GemmIsa isas[] = {GemmIsa::generic, GemmIsa::avx2, GemmIsa::avx512};
  std::vector<float> ref(x.size()), got(x.size());
  for (auto fn : {&VecMath::exp, &VecMath::erf, &VecMath::tanh, &VecMath::sigmoid, &VecMath::gelu, &VecMath::gelu_tanh}) {
    (vecmath_generic::table.*fn)(x.data(), ref.data(), n);
    for (int k = 1; k < 3; ++k) {
      if (!gemm_isa_supported(isas[k])) continue;
      (tables[k]->*fn)(x.data(), got.data(), n);
      EXPECT_EQ(std::memcmp(ref.data(), got.data(), ref.size() * sizeof(float)), 0) << gemm_isa_name(isas[k]);
    }
  }
}

TEST(FusedActivation, EqualsSeparateOps) {
  Tensor x = random_f32({2, 3, 8, 8}, 1), w = random_f32({4, 3, 3, 3}, 2), b = random_f32({4}, 3);
  Tensor plain = run1(make_node(OpKind::Conv), {x, w, b});
  Tensor relu = run1(make_node(OpKind::Relu), {plain});
  EXPECT_TRUE(same_bits(run1(make_node(OpKind::Conv, {{"_activation", "Relu"}}), {x, w, b}), relu));
  Tensor leaky = run1(make_node(OpKind::LeakyRelu, {{"alpha", 0.2f}}), {plain});
  EXPECT_TRUE(same_bits(run1(make_node(OpKind::Conv, {{"_activation", "LeakyRelu"}, {"_activation_alpha", 0.2f}}), {x, w, b}), leaky));
  Tensor a = random_f32({5, 7}, 4), m = random_f32({7, 3}, 5);
  Tensor clip = run1(make_node(OpKind::Clip), {run1(make_node(OpKind::MatMul), {a, m}), Tensor::scalar<float>(0.f), Tensor::scalar<float>(0.5f)});
  EXPECT_TRUE(same_bits(run1(make_node(OpKind::MatMul, {{"_activation", "Clip"}, {"_activation_min", 0.f}, {"_activation_max", 0.5f}}), {a, m}), clip));
  Tensor g = run1(make_node(OpKind::Relu), {run1(make_node(OpKind::Gemm), {a, m})});
  EXPECT_TRUE(same_bits(run1(make_node(OpKind::Gemm, {{"_activation", "Relu"}}), {a, m}), g));
  Tensor ct = run1(make_node(OpKind::Relu), {run1(make_node(OpKind::ConvTranspose), {x, random_f32({3, 2, 2, 2}, 6)})});
  EXPECT_TRUE(same_bits(run1(make_node(OpKind::ConvTranspose, {{"_activation", "Relu"}}), {x, random_f32({3, 2, 2, 2}, 6)}), ct));
  EXPECT_THROW(run1(make_node(OpKind::Conv, {{"_activation", "Swish"}}), {x, w, b}), UnsupportedError);
}

}  // namespace
}  // namespace coda::exec::testing
