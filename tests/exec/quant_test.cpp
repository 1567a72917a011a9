// Quantized kernels, exact: QuantizeLinear / DequantizeLinear (round half to even, saturation,
// per axis), MatMulInteger / QLinearMatMul and ConvInteger / QLinearConv against integer brute force
// with ONNX Runtime's requantisation (float scale a_s * b_s / y_s, clamp, round half to even).
#include "coda/exec/gemm.h"
#include "kernel_test_util.h"

namespace coda::exec::testing {
namespace {

using Ints = std::vector<int64_t>;

TEST(QuantizeLinear, RoundsHalfToEvenAndSaturates) {
  Tensor x = f32({0, 1.5f, 2.5f, -1, 300, -300, 0.5f, NAN}, {8});
  Tensor u = run1(make_node(OpKind::QuantizeLinear), {x, Tensor::scalar<float>(1.f), Tensor::scalar<uint8_t>(0)});
  EXPECT_EQ(u.dtype(), DType::u8);
  expect_values(u, {8}, {0, 2, 2, 0, 255, 0, 0, 0});
  Tensor s = run1(make_node(OpKind::QuantizeLinear), {x, Tensor::scalar<float>(2.f), Tensor::scalar<int8_t>(-1)});
  EXPECT_EQ(s.dtype(), DType::i8);
  expect_values(s, {8}, {-1, 0, 0, -1, 127, -128, -1, -128});
  // no zero point: uint8, zero 0
  expect_values(run1(make_node(OpKind::QuantizeLinear), {f32({3.5f}, {1}), Tensor::scalar<float>(1.f)}), {1}, {4});
}

TEST(QuantizeLinear, PerAxis) {
  Tensor x = f32({4, 4, 4, 8, 8, 8}, {2, 3});
  Tensor y = run1(make_node(OpKind::QuantizeLinear, {{"axis", 1}}),
                  {x, f32({1, 2, 4}, {3}), Tensor::from_vector<uint8_t>({0, 1, 2}, {3})});
  expect_values(y, {2, 3}, {4, 3, 3, 8, 5, 4});
  EXPECT_THROW(run1(make_node(OpKind::QuantizeLinear, {{"axis", 0}}), {x, f32({1, 2, 4}, {3})}), InvalidError);
}

TEST(DequantizeLinear, PerTensorPerAxisAndInt32) {
  Tensor x = Tensor::from_vector<int8_t>({-128, 0, 127}, {3});
  expect_values(run1(make_node(OpKind::DequantizeLinear), {x, Tensor::scalar<float>(0.5f), Tensor::scalar<int8_t>(-1)}), {3},
                {-63.5, 0.5, 64});
  Tensor xu = Tensor::from_vector<uint8_t>({10, 10, 10, 10}, {2, 2});
  expect_values(run1(make_node(OpKind::DequantizeLinear, {{"axis", 0}}),
                     {xu, f32({1, 2}, {2}), Tensor::from_vector<uint8_t>({0, 5}, {2})}),
                {2, 2}, {10, 10, 10, 10});
  expect_values(run1(make_node(OpKind::DequantizeLinear), {Tensor::from_vector<int32_t>({-7, 1000}, {2}), Tensor::scalar<float>(0.25f)}),
                {2}, {-1.75, 250});
}

int32_t requant(int64_t acc, float scale, int32_t zp, int32_t lo, int32_t hi) {
  double v = std::nearbyint(double(float(float(acc) * scale)));  // float product, then round half to even
  return int32_t(std::clamp<double>(v + zp, lo, hi));
}

TEST(QLinearMatMul, MatchesIntegerBruteForce) {
  const int64_t m = 5, k = 37, n = 9;
  Tensor a = random_int<uint8_t>({m, k}, 1, 0, 255), b = random_int<int8_t>({k, n}, 2, -128, 127);
  Tensor bzp = random_int<int8_t>({n}, 3, -3, 3);
  Tensor bs = random_f32({n}, 4, 0.001f, 0.01f);
  const float as = 0.02f, ys = 0.05f;
  const uint8_t azp = 131, yzp = 120;
  Tensor y = run_both(make_node(OpKind::QLinearMatMul),
                      {a, Tensor::scalar<float>(as), Tensor::scalar<uint8_t>(azp), b, bs, bzp, Tensor::scalar<float>(ys),
                       Tensor::scalar<uint8_t>(yzp)})[0];
  Tensor acc = run1(make_node(OpKind::MatMulInteger), {a, b, Tensor::scalar<uint8_t>(azp), bzp});
  ASSERT_EQ(y.dtype(), DType::u8);
  ASSERT_EQ(acc.dtype(), DType::i32);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int64_t s = 0;
      for (int64_t p = 0; p < k; ++p)
        s += (int64_t(a.data<uint8_t>()[i * k + p]) - azp) * (int64_t(b.data<int8_t>()[p * n + j]) - bzp.data<int8_t>()[j]);
      EXPECT_EQ(acc.data<int32_t>()[i * n + j], s);
      EXPECT_EQ(y.data<uint8_t>()[i * n + j], requant(s, as * bs.data<float>()[j] / ys, yzp, 0, 255)) << i << "," << j;
    }
}

TEST(MatMulInteger, BatchedAndPerRowZeroPoint) {
  Tensor a = random_int<int8_t>({2, 3, 4}, 5, -128, 127), b = random_int<int8_t>({2, 4, 2}, 6, -128, 127);
  Tensor azp = Tensor::from_vector<int8_t>({1, -2, 3}, {3});
  Tensor y = run1(make_node(OpKind::MatMulInteger), {a, b, azp});
  for (int t = 0; t < 2; ++t)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 2; ++j) {
        int32_t s = 0;
        for (int p = 0; p < 4; ++p)
          s += (a.data<int8_t>()[(t * 3 + i) * 4 + p] - azp.data<int8_t>()[i]) * b.data<int8_t>()[(t * 4 + p) * 2 + j];
        EXPECT_EQ(y.data<int32_t>()[(t * 3 + i) * 2 + j], s);
      }
}

// Integer convolution by brute force: acc[n, m, oy, ox] with padding value x_zp.
std::vector<int64_t> conv_integer_reference(const Tensor& x, int32_t xzp, const Tensor& w, const std::vector<int32_t>& wzp,
                                            int64_t group, int64_t stride, int64_t pad, int64_t& oh, int64_t& ow) {
  int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), M = w.dim(0), KH = w.dim(2), KW = w.dim(3);
  int64_t cg = C / group, mg = M / group;
  oh = (H + 2 * pad - KH) / stride + 1;
  ow = (W + 2 * pad - KW) / stride + 1;
  std::vector<int64_t> acc;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          int64_t s = 0;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t a = 0; a < KH; ++a)
              for (int64_t b = 0; b < KW; ++b) {
                int64_t yy = i * stride - pad + a, xx = j * stride - pad + b;
                int64_t xv = (yy < 0 || yy >= H || xx < 0 || xx >= W) ? xzp
                                                                      : x.data<uint8_t>()[((n * C + (m / mg) * cg + c) * H + yy) * W + xx];
                s += (xv - xzp) * (int64_t(w.data<int8_t>()[((m * cg + c) * KH + a) * KW + b]) - wzp[m]);
              }
          acc.push_back(s);
        }
  return acc;
}

TEST(QLinearConv, MatchesIntegerBruteForceWithPerChannelWeights) {
  const int64_t group = 2, M = 6;
  Tensor x = random_int<uint8_t>({2, 4, 9, 8}, 7, 0, 255), w = random_int<int8_t>({M, 2, 3, 3}, 8, -128, 127);
  std::vector<int32_t> wzp_v = {0, 1, -1, 2, 0, 3};
  Tensor wzp = Tensor::from_vector<int8_t>({0, 1, -1, 2, 0, 3}, {M});
  Tensor ws = random_f32({M}, 9, 0.001f, 0.02f);
  Tensor bias = Tensor::from_vector<int32_t>({100, -200, 0, 5000, -7, 1}, {M});
  const float xs = 0.03f, ys = 0.1f;
  const uint8_t xzp = 100;
  const int8_t yzp = -5;
  Node n = make_node(OpKind::QLinearConv, {{"group", group}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}});
  Tensor y = run_both(n, {x, Tensor::scalar<float>(xs), Tensor::scalar<uint8_t>(xzp), w, ws, wzp, Tensor::scalar<float>(ys),
                          Tensor::scalar<int8_t>(yzp), bias})[0];
  int64_t oh, ow;
  std::vector<int64_t> acc = conv_integer_reference(x, xzp, w, wzp_v, group, 2, 1, oh, ow);
  ASSERT_EQ(y.shape(), (Shape{2, M, oh, ow}));
  ASSERT_EQ(y.dtype(), DType::i8);
  for (int64_t i = 0; i < y.numel(); ++i) {
    int64_t m = (i / (oh * ow)) % M;
    int32_t want = requant(acc[i] + bias.data<int32_t>()[m], xs * ws.data<float>()[m] / ys, yzp, -128, 127);
    ASSERT_EQ(y.data<int8_t>()[i], want) << "element " << i;
  }
  Node ci = make_node(OpKind::ConvInteger, {{"group", group}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}});
  Tensor yi = run1(ci, {x, w, Tensor::scalar<uint8_t>(xzp), wzp});
  for (int64_t i = 0; i < yi.numel(); ++i) ASSERT_EQ(yi.data<int32_t>()[i], acc[i]) << "element " << i;
}

TEST(QLinearConv, RejectsBadParameters) {
  Tensor x = random_int<uint8_t>({1, 2, 4, 4}, 1, 0, 255), w = random_int<int8_t>({3, 2, 3, 3}, 2, -128, 127);
  auto args = [&](Tensor ws, Tensor bias) {
    return std::vector<Tensor>{x, Tensor::scalar<float>(1), Tensor::scalar<uint8_t>(0), w, ws, Tensor::scalar<int8_t>(0),
                               Tensor::scalar<float>(1), Tensor::scalar<uint8_t>(0), bias};
  };
  EXPECT_THROW(run1(make_node(OpKind::QLinearConv), args(f32({1, 2}, {2}), Tensor())), InvalidError);
  EXPECT_THROW(run1(make_node(OpKind::QLinearConv), args(Tensor::scalar<float>(1), f32({1, 2, 3}, {3}))), UnsupportedError);
  EXPECT_THROW(run1(make_node(OpKind::QLinearConv), {random_f32({1, 2, 4, 4}, 1), Tensor::scalar<float>(1), Tensor(), w,
                                                     Tensor::scalar<float>(1), Tensor(), Tensor::scalar<float>(1), Tensor()}),
               UnsupportedError);
}

}  // namespace
}  // namespace coda::exec::testing
