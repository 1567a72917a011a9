// Integer Conv2d (grouped, depthwise, pointwise, strided, dilated, padded) and MatMul / Gemm against a
// naive int64 reference followed by the requantisation formula of requant.h; every qgemm ISA and 1 vs
// 2 threads must give the same bits.
#include "coda/exec/int_ops.h"

#include <gtest/gtest.h>

#include <random>

#include "coda/core/error.h"
#include "coda/exec/requant.h"

namespace coda::exec::intops {
namespace {

constexpr Isa kIsas[] = {Isa::Scalar, Isa::Avx2, Isa::Avx512Vnni};

std::vector<uint8_t> random_bytes(size_t count, int lo, int hi, std::mt19937& rng) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<uint8_t> v(count);
  for (auto& x : v) x = static_cast<uint8_t>(d(rng));
  return v;
}

int32_t expected_output(int64_t acc64, const Requant& rq, int64_t c) {
  const int32_t acc = static_cast<int32_t>(acc64);  // wraps like the kernels
  const size_t i = rq.shift.size() == 1 ? 0 : static_cast<size_t>(c);
  int64_t v = rq.multiplier.empty() ? requant::shift_round(acc, rq.shift[i])
                                    : requant::multiply_by_quantized_multiplier(acc, rq.multiplier[i], rq.shift[i]);
  v += rq.zero_point;
  return static_cast<int32_t>(std::clamp<int64_t>(v, rq.qmin, rq.qmax));
}

// Naive NCHW convolution in int64: sum over in-range taps of (x - x_zp)(w - w_zp[m]), plus bias.
std::vector<int64_t> conv_reference(const ConvParams& p, const std::vector<uint8_t>& x, bool xs, int32_t xzp,
                                    const std::vector<int8_t>& w, const std::vector<int32_t>& wzp, const int32_t* bias) {
  const int64_t OH = p.out_h(), OW = p.out_w(), cg = p.in_channels / p.groups, mg = p.out_channels / p.groups;
  std::vector<int64_t> acc;
  for (int64_t nb = 0; nb < p.batch; ++nb)
    for (int64_t m = 0; m < p.out_channels; ++m) {
      const int64_t gi = m / mg, wz = wzp.size() == 1 ? wzp[0] : wzp[m];
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          int64_t s = bias ? bias[m] : 0;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t kh = 0; kh < p.kernel_h; ++kh)
              for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
                const int64_t ih = oh * p.stride_h + kh * p.dilation_h - p.pad_top;
                const int64_t iw = ow * p.stride_w + kw * p.dilation_w - p.pad_left;
                if (ih < 0 || ih >= p.height || iw < 0 || iw >= p.width) continue;
                const uint8_t xb = x[((nb * p.in_channels + gi * cg + c) * p.height + ih) * p.width + iw];
                const int64_t xv = (xs ? static_cast<int8_t>(xb) : xb) - xzp;
                const int64_t wv = w[((m * cg + c) * p.kernel_h + kh) * p.kernel_w + kw] - wz;
                s += xv * wv;
              }
          acc.push_back(s);
        }
    }
  return acc;
}

struct ConvCase {
  ConvParams p;
  bool x_signed, per_channel, int4_weights, pow2, zero_wzp = false;
};

TEST(IntOps, Conv2dMatchesInt64ReferenceOnEveryPath) {
  std::mt19937 rng(31);
  auto P = [](int64_t b, int64_t c, int64_t h, int64_t w, int64_t m, int64_t kh, int64_t kw, int64_t g, int64_t s,
              int64_t d, int64_t pad) {
    ConvParams p;
    p.batch = b, p.in_channels = c, p.height = h, p.width = w, p.out_channels = m, p.kernel_h = kh, p.kernel_w = kw;
    p.groups = g, p.stride_h = s, p.stride_w = s, p.dilation_h = d, p.dilation_w = d;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
    return p;
  };
  std::vector<ConvCase> cases = {
      {P(1, 3, 9, 8, 5, 3, 3, 1, 1, 1, 1), false, false, false, false},
      {P(2, 4, 7, 9, 6, 3, 3, 2, 2, 1, 1), true, true, false, false},    // groups, stride 2
      {P(1, 6, 10, 10, 6, 3, 3, 6, 1, 1, 1), false, true, false, false}, // depthwise
      {P(2, 4, 11, 7, 8, 5, 3, 4, 2, 2, 2), true, false, false, false},  // depthwise x2 multiplier, dilated
      {P(1, 16, 6, 5, 7, 1, 1, 1, 1, 1, 0), false, true, true, false},   // pointwise, int4 weights
      {P(1, 5, 13, 12, 9, 3, 2, 1, 3, 2, 0), true, true, false, true},   // stride 3, dilation 2, power of two
      {P(1, 33, 5, 4, 70, 3, 3, 1, 1, 1, 2), false, true, false, false}, // kdim not a multiple of 4, wide M
      {P(1, 7, 9, 11, 10, 3, 3, 1, 1, 2, 2), true, false, false, false, true},   // int8 x and w, w_zp 0, dilated
      {P(2, 6, 8, 8, 4, 1, 1, 2, 1, 1, 1), false, false, false, false, true},    // 1x1 with padding, groups
      {P(1, 4, 40, 45, 5, 3, 3, 1, 1, 1, 1), false, true, false, false, true},   // several row blocks, w_zp 0
  };
  cases[0].p.pad_bottom = 0;  // asymmetric pads
  cases[0].p.pad_right = 2;
  static ThreadPool pool(2);
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const ConvCase& cc = cases[ci];
    const ConvParams& p = cc.p;
    SCOPED_TRACE(::testing::Message() << "case " << ci);
    const int64_t cg = p.in_channels / p.groups;
    auto x = random_bytes(p.batch * p.in_channels * p.height * p.width, 0, 255, rng);
    auto wb = cc.int4_weights ? random_bytes(p.out_channels * cg * p.kernel_h * p.kernel_w, -8, 7, rng)
                              : random_bytes(p.out_channels * cg * p.kernel_h * p.kernel_w, -128, 127, rng);
    std::vector<int8_t> w(wb.begin(), wb.end());
    std::uniform_int_distribution<int> zp(-3, 3);
    const int32_t xzp = cc.x_signed ? -7 : 131;
    std::vector<int32_t> wzp(cc.per_channel ? p.out_channels : 1);
    for (auto& v : wzp) v = cc.zero_wzp ? 0 : zp(rng);
    std::vector<int32_t> bias(p.out_channels);
    for (auto& v : bias) v = std::uniform_int_distribution<int>(-5000, 5000)(rng);
    std::vector<double> scales(cc.per_channel ? p.out_channels : 1);
    for (auto& s : scales) s = std::uniform_real_distribution<double>(0.0005, 0.01)(rng);
    Requant rq = cc.pow2 ? Requant::power_of_two(std::vector<int>(p.out_channels, 6), 5, true)
                         : Requant::fixed_point(scales, cc.x_signed ? -3 : 128, cc.x_signed);
    if (ci == 1) rq.qmin = 0;  // a fused ReLU clamp
    if (cc.pow2) rq.shift[2] = 9;
    const std::vector<int64_t> want = conv_reference(p, x, cc.x_signed, xzp, w, wzp, bias.data());
    const QInput xin{x.data(), cc.x_signed, xzp};
    const QWeights win{w.data(), wzp};
    std::vector<int32_t> acc_first;
    std::vector<uint8_t> y_first;
    for (Isa isa : kIsas) {
      if (!qgemm::isa_supported(isa)) continue;
      SCOPED_TRACE(qgemm::isa_name(isa));
      for (ThreadPool* tp : {static_cast<ThreadPool*>(nullptr), &pool}) {
        std::vector<int32_t> acc(want.size(), 0x12345678);
        conv2d_s32(p, xin, win, bias.data(), acc.data(), tp, isa);
        for (size_t i = 0; i < want.size(); ++i) ASSERT_EQ(acc[i], static_cast<int32_t>(want[i])) << "acc " << i;
        std::vector<uint8_t> y(want.size(), 0x5a);
        conv2d(p, xin, win, bias.data(), rq, y.data(), tp, isa);
        const int64_t plane = p.out_h() * p.out_w();
        for (size_t i = 0; i < want.size(); ++i) {
          const int64_t c = (static_cast<int64_t>(i) / plane) % p.out_channels;
          const int32_t e = expected_output(want[i], rq, c);
          const int32_t got = rq.out_signed ? static_cast<int8_t>(y[i]) : y[i];
          ASSERT_EQ(got, e) << "y " << i;
        }
      }
    }
  }
}

TEST(IntOps, Conv2dHandWorked) {
  // 1x1x3x3 input 1..9 (zero point 1), 2x2 kernel of ones (zero point 0), no padding:
  // (x - 1) windows: [0 1 3 4] = 8, [1 2 4 5] = 12, [3 4 6 7] = 20, [4 5 7 8] = 24.
  ConvParams p;
  p.in_channels = 1, p.height = 3, p.width = 3, p.out_channels = 1, p.kernel_h = 2, p.kernel_w = 2;
  const uint8_t x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const int8_t w[4] = {1, 1, 1, 1};
  int32_t acc[4];
  conv2d_s32(p, {x, false, 1}, {w, {0}}, nullptr, acc);
  EXPECT_EQ(acc[0], 8);
  EXPECT_EQ(acc[1], 12);
  EXPECT_EQ(acc[2], 20);
  EXPECT_EQ(acc[3], 24);
  // requantised by 0.25 with zero point 10: 8 * 0.25 = 2 -> 12; 12 -> 13; 20 -> 15; 24 -> 16
  uint8_t y[4];
  conv2d(p, {x, false, 1}, {w, {0}}, nullptr, Requant::fixed_point({0.25}, 10, false), y);
  EXPECT_EQ(y[0], 12);
  EXPECT_EQ(y[1], 13);
  EXPECT_EQ(y[2], 15);
  EXPECT_EQ(y[3], 16);
  // power of two: shift 3 -> 8/8 = 1, 12/8 = 1.5 -> 2, 20/8 = 2.5 -> 3, 24/8 = 3
  conv2d(p, {x, false, 1}, {w, {0}}, nullptr, Requant::power_of_two({3}, 0, false), y);
  EXPECT_EQ(y[0], 1);
  EXPECT_EQ(y[1], 2);
  EXPECT_EQ(y[2], 3);
  EXPECT_EQ(y[3], 3);
}

TEST(IntOps, MatMulMatchesInt64ReferenceOnEveryPath) {
  std::mt19937 rng(41);
  struct Case {
    int64_t m, n, k;
    bool x_signed, trans_w, per_channel;
  };
  static ThreadPool pool(2);
  for (Case cs : {Case{1, 1, 1, false, false, false}, Case{7, 13, 33, true, true, true}, Case{40, 70, 130, false, true, true},
                  Case{97, 65, 257, true, false, false}, Case{3, 200, 5, false, false, true}}) {
    SCOPED_TRACE(::testing::Message() << cs.m << "x" << cs.n << "x" << cs.k);
    auto x = random_bytes(cs.m * cs.k, 0, 255, rng);
    auto wb = random_bytes(cs.k * cs.n, -128, 127, rng);
    std::vector<int8_t> w(wb.begin(), wb.end());  // [k,n], or [n,k] when trans_w
    const int32_t xzp = cs.x_signed ? 12 : 100;
    std::vector<int32_t> wzp(cs.per_channel ? cs.n : 1), bias(cs.n);
    for (auto& v : wzp) v = std::uniform_int_distribution<int>(-4, 4)(rng);
    for (auto& v : bias) v = std::uniform_int_distribution<int>(-20000, 20000)(rng);
    std::vector<double> scales(cs.per_channel ? cs.n : 1);
    for (auto& s : scales) s = std::uniform_real_distribution<double>(0.0001, 0.003)(rng);
    const Requant rq = Requant::fixed_point(scales, cs.x_signed ? 0 : 120, cs.x_signed);
    std::vector<int64_t> want(cs.m * cs.n);
    for (int64_t i = 0; i < cs.m; ++i)
      for (int64_t j = 0; j < cs.n; ++j) {
        int64_t s = bias[j];
        for (int64_t p = 0; p < cs.k; ++p) {
          const int64_t xv = (cs.x_signed ? static_cast<int8_t>(x[i * cs.k + p]) : x[i * cs.k + p]) - xzp;
          const int64_t wv = (cs.trans_w ? w[j * cs.k + p] : w[p * cs.n + j]) - (wzp.size() == 1 ? wzp[0] : wzp[j]);
          s += xv * wv;
        }
        want[i * cs.n + j] = s;
      }
    const QInput xin{x.data(), cs.x_signed, xzp};
    for (Isa isa : kIsas) {
      if (!qgemm::isa_supported(isa)) continue;
      SCOPED_TRACE(qgemm::isa_name(isa));
      for (ThreadPool* tp : {static_cast<ThreadPool*>(nullptr), &pool}) {
        std::vector<int32_t> acc(want.size());
        matmul_s32(cs.m, cs.n, cs.k, xin, {w.data(), wzp}, cs.trans_w, bias.data(), acc.data(), tp, isa);
        for (size_t i = 0; i < want.size(); ++i) ASSERT_EQ(acc[i], static_cast<int32_t>(want[i])) << "acc " << i;
        std::vector<uint8_t> y(want.size());
        matmul(cs.m, cs.n, cs.k, xin, {w.data(), wzp}, cs.trans_w, bias.data(), rq, y.data(), tp, isa);
        PackedLinear layer(cs.k, cs.n, w.data(), cs.trans_w, wzp, bias.data(), rq, isa);
        std::vector<uint8_t> y2(want.size());
        layer.run(cs.m, xin, y2.data(), tp);
        EXPECT_EQ(y, y2);
        for (size_t i = 0; i < want.size(); ++i) {
          const int32_t e = expected_output(want[i], rq, static_cast<int64_t>(i) % cs.n);
          ASSERT_EQ(rq.out_signed ? static_cast<int8_t>(y[i]) : y[i], e) << "y " << i;
        }
      }
    }
  }
}

TEST(IntOps, RejectsInconsistentParameters) {
  ConvParams p;
  p.in_channels = 3, p.height = 4, p.width = 4, p.out_channels = 4, p.kernel_h = 3, p.kernel_w = 3, p.groups = 2;
  const uint8_t x[48] = {};
  const int8_t w[36] = {};
  int32_t acc[16];
  EXPECT_THROW(conv2d_s32(p, {x, false, 0}, {w, {0}}, nullptr, acc), InvalidError);  // 3 % 2
  p.groups = 1;
  p.kernel_h = 5;
  EXPECT_THROW(conv2d_s32(p, {x, false, 0}, {w, {0}}, nullptr, acc), InvalidError);  // kernel larger than input
  p.kernel_h = 3;
  EXPECT_THROW(conv2d_s32(p, {x, false, 0}, {w, {0, 1}}, nullptr, acc), InvalidError);  // 2 zero points, 4 channels
  Requant rq = Requant::fixed_point({0.5}, 0, false);
  rq.qmax = 300;
  uint8_t y[16];
  EXPECT_THROW(conv2d(p, {x, false, 0}, {w, {0}}, nullptr, rq, y), InvalidError);
  EXPECT_THROW(Requant::fixed_point({std::nan("")}, 0, false), InvalidError);
  EXPECT_THROW(conv2d_s32(p, {x, false, 256}, {w, {0}}, nullptr, acc), InvalidError);   // uint8 zero point 256
  EXPECT_THROW(conv2d_s32(p, {x, true, 128}, {w, {0}}, nullptr, acc), InvalidError);    // int8 zero point 128
  EXPECT_THROW(conv2d_s32(p, {x, false, 0}, {w, {200}}, nullptr, acc), InvalidError);   // weight zero point
  EXPECT_THROW(matmul_s32(2, 2, 2, {x, false, -1}, {w, {0}}, false, nullptr, acc), InvalidError);
}

}  // namespace
}  // namespace coda::exec::intops
