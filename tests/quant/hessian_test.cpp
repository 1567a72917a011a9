// HessianAccumulator against the closed form 2/N sum w_r x_r x_r^T; unfold_conv_input against a direct
// convolution; flatten_rows.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "coda/quant/hessian.h"

using namespace coda;
using namespace coda::quant;

namespace {

Tensor uniform(Shape s, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  Tensor t(DType::f32, std::move(s));
  for (int64_t k = 0; k < t.numel(); ++k) t.data<float>()[k] = u(rng);
  return t;
}

}  // namespace

TEST(Hessian, HandWorked) {
  // rows [1, 2] and [3, 4]: X^T X = [[10, 14], [14, 20]], N = 2 -> H = (2/2) X^T X.
  HessianAccumulator acc(2);
  acc.add_rows(Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2}));
  EXPECT_EQ(acc.hessian().to_f32_vector(), (std::vector<float>{10, 14, 14, 20}));
  // A third row [0, 1] with weight 3: sum w x x^T = [[10, 14], [14, 20 + 3]], N = 3 -> * 2/3.
  acc.add_rows(Tensor::from_vector<float>({0, 1}, {1, 2}), Tensor::from_vector<float>({3}, {1}));
  const Tensor h = acc.hessian();
  EXPECT_EQ(h.dtype(), DType::f64);
  EXPECT_DOUBLE_EQ(h.get_f64(0), 20.0 / 3);
  EXPECT_DOUBLE_EQ(h.get_f64(1), 28.0 / 3);
  EXPECT_DOUBLE_EQ(h.get_f64(2), 28.0 / 3);
  EXPECT_DOUBLE_EQ(h.get_f64(3), 46.0 / 3);
  EXPECT_EQ(acc.rows_seen(), 3);
  EXPECT_EQ(acc.columns(), 2);
}

TEST(Hessian, BatchesOfDifferentSizesEqualClosedForm) {
  const int64_t c = 9;
  for (bool weighted : {false, true}) {
    HessianAccumulator acc(c);
    std::vector<double> closed(c * c, 0.0);
    int64_t n_total = 0;
    uint32_t seed = 100;
    for (int64_t n : {3, 7, 1, 0, 12, 5}) {
      const Tensor x = uniform({n, c}, seed++);
      Tensor wt;
      if (weighted) {
        wt = uniform({n}, seed++, 0.f, 2.f);
        if (n > 2) wt.data<float>()[1] = 0.f;  // a zero weight still counts as a row
      }
      acc.add_rows(x, wt);
      for (int64_t r = 0; r < n; ++r) {
        const double wr = weighted ? wt.data<float>()[r] : 1.0;
        for (int64_t i = 0; i < c; ++i)
          for (int64_t j = 0; j < c; ++j)
            closed[i * c + j] += wr * static_cast<double>(x.data<float>()[r * c + i]) * x.data<float>()[r * c + j];
      }
      n_total += n;
    }
    EXPECT_EQ(acc.rows_seen(), n_total);
    const Tensor h = acc.hessian();
    for (int64_t k = 0; k < c * c; ++k) {
      const double want = 2.0 / static_cast<double>(n_total) * closed[k];
      EXPECT_NEAR(h.get_f64(k), want, 2e-6 * (1 + std::fabs(want))) << k;
    }
    for (int64_t i = 0; i < c; ++i)
      for (int64_t j = 0; j < c; ++j) EXPECT_EQ(h.get_f64(i * c + j), h.get_f64(j * c + i));
  }
}

TEST(Hessian, BadInput) {
  EXPECT_THROW(HessianAccumulator(0), InvalidError);
  HessianAccumulator acc(3);
  EXPECT_THROW(acc.add_rows(Tensor(DType::f32, {2, 4})), InvalidError);
  EXPECT_THROW(acc.add_rows(Tensor(DType::f32, {6})), InvalidError);
  EXPECT_THROW(acc.add_rows(Tensor(DType::i32, {2, 3})), InvalidError);
  EXPECT_THROW(acc.add_rows(Tensor(DType::f32, {2, 3}), Tensor(DType::f32, {3})), InvalidError);
  EXPECT_THROW(acc.add_rows(Tensor(DType::f32, {2, 3}), Tensor::from_vector<float>({1.f, -0.5f}, {2})), InvalidError);
  EXPECT_THROW(acc.add_rows(Tensor(DType::f32, {2, 3}), Tensor::from_vector<float>({1.f, NAN}, {2})), InvalidError);
  EXPECT_THROW(acc.add_rows(Tensor::from_vector<float>({1, 2, INFINITY}, {1, 3})), InvalidError);
  EXPECT_EQ(acc.rows_seen(), 0);
}

TEST(Hessian, UnfoldHandWorked) {
  // x = 1..9 as 3x3, kernel 2x2, stride 1, no padding: the four 2x2 windows, row-major.
  std::vector<float> v(9);
  for (int i = 0; i < 9; ++i) v[i] = static_cast<float>(i + 1);
  const Tensor rows = unfold_conv_input(Tensor::from_vector<float>(v, {1, 1, 3, 3}), ConvWindow{.kernel = {2, 2}});
  EXPECT_EQ(rows.shape(), (Shape{4, 4}));
  EXPECT_EQ(rows.to_f32_vector(), (std::vector<float>{1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9}));
  // Padding 1 on top/left only, stride 2: windows at (-1,-1) and (-1,1), (1,-1), (1,1).
  const Tensor padded = unfold_conv_input(Tensor::from_vector<float>(v, {1, 1, 3, 3}),
                                          ConvWindow{.kernel = {2, 2}, .stride = {2, 2}, .pads = {1, 1, 0, 0}});
  EXPECT_EQ(padded.to_f32_vector(), (std::vector<float>{0, 0, 0, 1, 0, 0, 2, 3, 0, 4, 0, 7, 5, 6, 8, 9}));
}

// unfold(x) times the flattened weight equals a direct convolution (ONNX Conv semantics).
TEST(Hessian, UnfoldMatchesDirectConvolution) {
  struct Case {
    int64_t n, c, h, w, k, groups;
    ConvWindow win;
  };
  const std::vector<Case> cases = {
      {2, 3, 7, 6, 4, 1, ConvWindow{.kernel = {3, 3}}},
      {1, 4, 9, 8, 6, 2, ConvWindow{.kernel = {3, 2}, .stride = {2, 3}, .pads = {1, 0, 2, 1}, .groups = 2}},
      {2, 2, 10, 9, 3, 1, ConvWindow{.kernel = {3, 3}, .stride = {1, 2}, .dilation = {2, 3}, .pads = {2, 2, 2, 2}}},
      {1, 6, 5, 5, 6, 6, ConvWindow{.kernel = {3, 3}, .pads = {1, 1, 1, 1}, .groups = 6}},  // depthwise
      {1, 3, 4, 4, 2, 1, ConvWindow{.kernel = {1, 1}, .stride = {2, 2}}},
  };
  uint32_t seed = 200;
  for (const Case& cs : cases) {
    const ConvWindow& cw = cs.win;
    const Tensor x = uniform({cs.n, cs.c, cs.h, cs.w}, seed++);
    const int64_t cg = cs.c / cs.groups, kg = cs.k / cs.groups, kh = cw.kernel[0], kw = cw.kernel[1];
    const Tensor wt = uniform({cs.k, cg, kh, kw}, seed++);
    const int64_t oh = (cs.h + cw.pads[0] + cw.pads[2] - cw.dilation[0] * (kh - 1) - 1) / cw.stride[0] + 1;
    const int64_t ow = (cs.w + cw.pads[1] + cw.pads[3] - cw.dilation[1] * (kw - 1) - 1) / cw.stride[1] + 1;
    for (int64_t g = 0; g < cs.groups; ++g) {
      const Tensor rows = unfold_conv_input(x, cw, g);
      ASSERT_EQ(rows.shape(), (Shape{cs.n * oh * ow, cg * kh * kw}));
      for (int64_t n = 0; n < cs.n; ++n)
        for (int64_t k = g * kg; k < (g + 1) * kg; ++k)
          for (int64_t y = 0; y < oh; ++y)
            for (int64_t z = 0; z < ow; ++z) {
              double direct = 0, via_rows = 0;
              for (int64_t c = 0; c < cg; ++c)
                for (int64_t i = 0; i < kh; ++i)
                  for (int64_t j = 0; j < kw; ++j) {
                    const int64_t ih = y * cw.stride[0] - cw.pads[0] + i * cw.dilation[0];
                    const int64_t iw = z * cw.stride[1] - cw.pads[1] + j * cw.dilation[1];
                    const double wv = wt.data<float>()[((k * cg + c) * kh + i) * kw + j];
                    if (ih >= 0 && ih < cs.h && iw >= 0 && iw < cs.w)
                      direct += wv * x.data<float>()[((n * cs.c + g * cg + c) * cs.h + ih) * cs.w + iw];
                    via_rows += wv * rows.data<float>()[((n * oh + y) * ow + z) * rows.dim(1) + (c * kh + i) * kw + j];
                  }
              ASSERT_NEAR(via_rows, direct, 1e-12) << "case " << seed << " n" << n << " k" << k << " " << y << "," << z;
            }
    }
  }
}

TEST(Hessian, UnfoldBadInput) {
  const Tensor x(DType::f32, {1, 4, 5, 5});
  EXPECT_THROW(unfold_conv_input(Tensor(DType::f32, {4, 5, 5}), ConvWindow{.kernel = {3, 3}}), InvalidError);
  EXPECT_THROW(unfold_conv_input(x, ConvWindow{.kernel = {3, 3}, .groups = 3}), InvalidError);
  EXPECT_THROW(unfold_conv_input(x, ConvWindow{.kernel = {3, 3}, .groups = 2}, 2), InvalidError);
  EXPECT_THROW(unfold_conv_input(x, ConvWindow{.kernel = {6, 3}}), InvalidError);
  EXPECT_THROW(unfold_conv_input(x, ConvWindow{.kernel = {3, 3}, .stride = {0, 1}}), InvalidError);
  EXPECT_THROW(unfold_conv_input(x, ConvWindow{.kernel = {3, 3}, .pads = {-1, 0, 0, 0}}), InvalidError);
  EXPECT_THROW(unfold_conv_input(Tensor(DType::i32, {1, 1, 3, 3}), ConvWindow{.kernel = {1, 1}}), InvalidError);
}

TEST(Hessian, FlattenRows) {
  const Tensor x = uniform({2, 3, 4}, 300);
  const Tensor r = flatten_rows(x);
  EXPECT_EQ(r.shape(), (Shape{6, 4}));
  EXPECT_EQ(r.to_f32_vector(), x.to_f32_vector());
  EXPECT_EQ(flatten_rows(Tensor(DType::f32, {5})).shape(), (Shape{1, 5}));
  EXPECT_THROW(flatten_rows(Tensor::scalar<float>(1.f)), InvalidError);
}
