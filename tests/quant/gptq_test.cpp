// GPTQ: equality with round-to-nearest for a diagonal Hessian, a hand-worked 1x2 case, a brute-force
// optimum on tiny problems with Babai's nearest-plane bound, error reduction on correlated data,
// act-order grouping, dead columns and bad input.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "coda/quant/gptq.h"
#include "coda/quant/hessian.h"
#include "coda/quant/quantize.h"

using namespace coda;
using namespace coda::quant;

namespace {

Tensor randn(Shape s, uint32_t seed, double stddev = 1.0) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> nd(0.0, stddev);
  Tensor t(DType::f32, std::move(s));
  for (int64_t k = 0; k < t.numel(); ++k) t.data<float>()[k] = static_cast<float>(nd(rng));
  return t;
}

Tensor identity(int64_t n) {
  Tensor t(DType::f64, {n, n});
  for (int64_t i = 0; i < n; ++i) t.data<double>()[i * n + i] = 1.0;
  return t;
}

// Calibration rows X = Z * A (Z [n, c] i.i.d. normal, A [c, c] a random mixing), optionally with
// column j scaled by col_scale[j]; returns H = 2/n X^T X through the accumulator.
Tensor correlated_hessian(int64_t n, int64_t c, uint32_t seed, const std::vector<double>& col_scale = {}) {
  const Tensor z = randn({n, c}, seed), a = randn({c, c}, seed + 1);
  Tensor x(DType::f32, {n, c});
  for (int64_t r = 0; r < n; ++r)
    for (int64_t j = 0; j < c; ++j) {
      double v = 0;
      for (int64_t k = 0; k < c; ++k) v += static_cast<double>(z.data<float>()[r * c + k]) * a.data<float>()[k * c + j];
      if (!col_scale.empty()) v *= col_scale[static_cast<size_t>(j)];
      x.data<float>()[r * c + j] = static_cast<float>(v);
    }
  HessianAccumulator acc(c);
  acc.add_rows(x);
  return acc.hessian();
}

// tr((W - Q) H (W - Q)^T), by plain loops.
double trace_error(const Tensor& w, const Tensor& q, const Tensor& h) {
  const int64_t rows = w.dim(0), cols = w.dim(1);
  double total = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < cols; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        const double ei = static_cast<double>(w.data<float>()[r * cols + i]) - q.data<float>()[r * cols + i];
        const double ej = static_cast<double>(w.data<float>()[r * cols + j]) - q.data<float>()[r * cols + j];
        total += ei * h.get_f64(i * cols + j) * ej;
      }
  return total;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

// Every weight equals (code - zero_point[g]) * scale[g] with g = group_index[j], bit for bit.
void expect_consistent(const GptqResult& r, const NumberFormat& f) {
  const int64_t rows = r.weight.dim(0), cols = r.weight.dim(1), groups = r.scale.dim(1);
  const bool per_tensor = r.scale.dim(0) == 1 && rows > 1 && f.granularity == Granularity::PerTensor;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      const int64_t g = r.group_index.data<int32_t>()[j];
      ASSERT_TRUE(g >= 0 && g < groups);
      const int64_t p = (per_tensor ? 0 : i) * groups + g;
      const int32_t c = r.codes.data<int32_t>()[i * cols + j];
      ASSERT_GE(c, f.qmin());
      ASSERT_LE(c, f.qmax());
      ASSERT_EQ(r.weight.data<float>()[i * cols + j],
                static_cast<float>(c - r.zero_point.data<int32_t>()[p]) * r.scale.data<float>()[p])
          << i << "," << j;
    }
}

}  // namespace

// With a diagonal H the inverse's Cholesky factor is diagonal, so the error feedback W[:, j+1:] -=
// e * U[j, j+1:] is zero and GPTQ is round-to-nearest: equal bits to fake_quantize(w, fmt).
TEST(Gptq, DiagonalHessianEqualsRtnBitForBit) {
  const Tensor w = randn({8, 40}, 11, 0.3);
  std::vector<Tensor> hessians = {identity(40)};
  Tensor diag(DType::f32, {40, 40});
  for (int64_t j = 0; j < 40; ++j) diag.data<float>()[j * 40 + j] = 0.1f + 0.37f * static_cast<float>(j % 7);
  hessians.push_back(diag);
  for (const char* name : {"int8", "int4/ch", "int3/ch/asym", "int4/g4", "int4/g16", "int3/g16/asym", "int8/g128/asym", "int2/ch"}) {
    const NumberFormat f = parse_format(name);
    const QuantParams p = params_from_data(w, f);
    const Tensor codes = quantize(w, f, p), rtn = dequantize(codes, f, p);
    for (const Tensor& h : hessians)
      for (int64_t block : {1, 7, 128})
        for (bool act_order : {false, true})
          for (bool static_groups : {false, true}) {
            // act_order regroups dynamic groups (processing order), so it is excluded there.
            if (act_order && f.granularity == Granularity::PerGroup && !static_groups) continue;
            SCOPED_TRACE(std::string(name) + " block " + std::to_string(block) + (act_order ? " act" : "") +
                         (static_groups ? " static" : ""));
            const GptqResult r = gptq_quantize(w, h, f, {.damp = 0.01, .block = block, .act_order = act_order, .static_groups = static_groups});
            EXPECT_TRUE(same_bits(r.weight, rtn));
            EXPECT_TRUE(same_bits(r.codes, codes));
            EXPECT_EQ(r.scale.numel(), p.scale.numel());
            EXPECT_EQ(std::memcmp(r.scale.raw(), p.scale.raw(), p.scale.nbytes()), 0);
            EXPECT_EQ(std::memcmp(r.zero_point.raw(), p.zero_point.raw(), p.zero_point.nbytes()), 0);
            EXPECT_EQ(r.error_gptq, r.error_rtn);
            expect_consistent(r, f);
          }
  }
}

// 1 row x 2 columns, INT3 symmetric per channel (qmax 3), damp 0, H = [[4, 1.8], [1.8, 1]].
//   scale = absmax / qmax = 0.75 / 3 = 0.25.
//   Hinv = H^-1 = (1 / 0.76) [[1, -1.8], [-1.8, 4]]   (det H = 4 - 3.24 = 0.76)
//   U = chol_upper(Hinv): U00 = sqrt(1/0.76), U01 = (-1.8/0.76) / U00.
//   column 0: w0 = 0.6 -> 0.6 / 0.25 = 2.4 -> code 2 -> q0 = 0.5; e0 = (0.6 - 0.5) / U00
//   feedback: w1 -= e0 * U01 = 0.1 * (-1.8/0.76) / (1/0.76) = -0.18, so w1 = -0.75 + 0.18 = -0.57
//   column 1: -0.57 / 0.25 = -2.28 -> code -2 -> q1 = -0.5   (RTN would give -3 -> -0.75)
//   error (e = W - Q): GPTQ e = [0.1, -0.25]: 4*0.01 + 2*1.8*0.1*(-0.25) + 0.0625 = 0.0125
//                      RTN  e = [0.1, 0]:     4*0.01                            = 0.04
TEST(Gptq, HandWorkedTwoColumns) {
  const Tensor w = Tensor::from_vector<float>({0.6f, -0.75f}, {1, 2});
  const Tensor h = Tensor::from_vector<double>({4.0, 1.8, 1.8, 1.0}, {2, 2});
  const NumberFormat f = parse_format("int3/ch");
  for (bool act_order : {false, true}) {  // diag H = [4, 1] is already in descending order
    const GptqResult r = gptq_quantize(w, h, f, {.damp = 0, .block = 128, .act_order = act_order});
    EXPECT_EQ(r.scale.data<float>()[0], 0.25f);
    EXPECT_EQ(r.codes.to_i64_vector(), (std::vector<int64_t>{2, -2}));
    EXPECT_EQ(r.weight.to_f32_vector(), (std::vector<float>{0.5f, -0.5f}));
    EXPECT_NEAR(r.error_gptq, 0.0125, 1e-7);
    EXPECT_NEAR(r.error_rtn, 0.04, 1e-7);
  }
  // Block 1 takes the lazy-batch path for the feedback instead of the in-block update: same result.
  const GptqResult b1 = gptq_quantize(w, h, f, {.damp = 0, .block = 1});
  EXPECT_EQ(b1.codes.to_i64_vector(), (std::vector<int64_t>{2, -2}));
  // The default damping (lambda = 0.01 * mean(4, 1) = 0.025) changes the feedback to 0.1 * 1.8 / 1.025
  // = 0.1756: w1 = -0.5744 -> -2.2976 -> code -2 still.
  EXPECT_EQ(gptq_quantize(w, h, f).codes.to_i64_vector(), (std::vector<int64_t>{2, -2}));
  // Reversed columns: act_order processes column 1 (diag 4) first; H' = [[1, 1.8], [1.8, 4]].
  const Tensor wr = Tensor::from_vector<float>({-0.75f, 0.6f}, {1, 2});
  const Tensor hr = Tensor::from_vector<double>({1.0, 1.8, 1.8, 4.0}, {2, 2});
  EXPECT_EQ(gptq_quantize(wr, hr, f, {.damp = 0, .act_order = true}).codes.to_i64_vector(), (std::vector<int64_t>{-2, 2}));
  // Without act_order column 0 goes first: -0.75 is exact (code -3), no feedback; 0.6 -> 2.
  EXPECT_EQ(gptq_quantize(wr, hr, f, {.damp = 0, .act_order = false}).codes.to_i64_vector(), (std::vector<int64_t>{-3, 2}));
}

// Brute force over all code vectors on tiny problems. GPTQ is Babai's nearest-plane algorithm on the
// lattice s*Z^n under the metric H (Chen et al. 2025, "The Geometry of LLM Quantization"): its error is
// exactly sum_i D_i r_i^2, where r_i is column i's rounding residual after feedback and D_i is the
// Schur complement of H on columns {i..n-1} at i (the variance of column i's input given the later
// ones). Without clamping |r_i| <= s/2, so error_gptq <= (s^2/4) sum_i D_i -- Babai's bound, the
// factor checked here, with D_i from an explicit inverse (not Cholesky). The optimum is a lower bound
// for both GPTQ and RTN.
TEST(Gptq, BruteForceOptimumAndBabaiBound) {
  std::mt19937 rng(7);
  std::normal_distribution<double> nd(0.0, 1.0);
  const int n = 4;
  int bound_checked = 0, gptq_optimal = 0;
  double sum_gptq = 0, sum_rtn = 0, sum_opt = 0;
  for (int trial = 0; trial < 300; ++trial) {
    // H = X^T X / m + 0.05 I with X = Z * (I + 0.5 * A): correlated, well conditioned.
    std::vector<double> a(n * n), h(n * n, 0.0);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) a[i * n + j] = (i == j ? 1.0 : 0.0) + 0.5 * nd(rng);
    const int m = 32;
    for (int s = 0; s < m; ++s) {
      double z[n], x[n];
      for (double& v : z) v = nd(rng);
      for (int j = 0; j < n; ++j) {
        x[j] = 0;
        for (int k = 0; k < n; ++k) x[j] += z[k] * a[k * n + j];
      }
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) h[i * n + j] += x[i] * x[j] / m;
    }
    for (int i = 0; i < n; ++i) h[i * n + i] += 0.05;
    const Tensor ht = Tensor::from_vector<double>(h, {n, n});

    // Two formats: INT2 per channel on one row (clamping is common: codes {-1, 0, 1}), and INT4 per
    // tensor with a sentinel row [1.75, 0, 0, 0] fixing the scale at 0.25 (exact in both methods, error 0),
    // so the test row's values (|w| < 0.5) sit far inside the range [-1.75, 1.75].
    for (int variant = 0; variant < 2; ++variant) {
      std::vector<float> wv(n);
      for (float& v : wv) v = static_cast<float>(variant == 0 ? nd(rng) : 0.15 * nd(rng));
      if (variant == 1) {
        for (float& v : wv) v = std::clamp(v, -0.49f, 0.49f);
      }
      const NumberFormat f = parse_format(variant == 0 ? "int2/ch" : "int4");
      std::vector<float> rows = wv;
      if (variant == 1) rows.insert(rows.end(), {1.75f, 0.f, 0.f, 0.f});
      const Tensor w = Tensor::from_vector<float>(rows, {variant == 0 ? 1 : 2, n});
      const GptqResult r = gptq_quantize(w, ht, f, {.damp = 0, .block = 2, .act_order = false});
      const double s = r.scale.data<float>()[0];
      if (variant == 1) {
        ASSERT_EQ(s, 0.25);
      }
      // Optimum over all code vectors with this scale (the sentinel row contributes 0).
      const int qmax = static_cast<int>(f.qmax()), levels = 2 * qmax + 1;
      double opt = INFINITY;
      int total = 1;
      for (int i = 0; i < n; ++i) total *= levels;
      for (int idx = 0; idx < total; ++idx) {
        double e[n];
        for (int i = 0, t = idx; i < n; ++i, t /= levels) e[i] = wv[i] - s * (t % levels - qmax);
        double err = 0;
        for (int i = 0; i < n; ++i)
          for (int j = 0; j < n; ++j) err += e[i] * h[i * n + j] * e[j];
        opt = std::min(opt, err);
      }
      EXPECT_GE(r.error_gptq, opt * (1 - 1e-9) - 1e-15);
      EXPECT_GE(r.error_rtn, opt * (1 - 1e-9) - 1e-15);
      if (r.error_gptq <= opt * (1 + 1e-9) + 1e-15) ++gptq_optimal;
      sum_gptq += r.error_gptq, sum_rtn += r.error_rtn, sum_opt += opt;
      if (variant == 1) {
        // No clamping can have happened if no code of the test row sits at +-qmax.
        bool clamped = false;
        for (int i = 0; i < n; ++i) clamped |= std::abs(r.codes.data<int32_t>()[i]) == qmax;
        if (clamped) continue;
        // D_i = 1 / [(H_{i..n-1, i..n-1})^-1]_{00}, by Gauss-Jordan elimination.
        double bound = 0;
        for (int i = 0; i < n; ++i) {
          const int k = n - i;
          std::vector<double> aug(static_cast<size_t>(k * 2 * k), 0.0);
          for (int p = 0; p < k; ++p) {
            for (int q = 0; q < k; ++q) aug[p * 2 * k + q] = h[(i + p) * n + (i + q)];
            aug[p * 2 * k + k + p] = 1;
          }
          for (int c = 0; c < k; ++c) {
            const double piv = aug[c * 2 * k + c];
            for (int q = 0; q < 2 * k; ++q) aug[c * 2 * k + q] /= piv;
            for (int p = 0; p < k; ++p)
              if (p != c) {
                const double fct = aug[p * 2 * k + c];
                for (int q = 0; q < 2 * k; ++q) aug[p * 2 * k + q] -= fct * aug[c * 2 * k + q];
              }
          }
          bound += 1.0 / aug[k];  // row 0, column k: (H_F^-1)_{00}
        }
        bound *= s * s / 4;
        EXPECT_LE(r.error_gptq, bound * (1 + 1e-9)) << "trial " << trial;
        ++bound_checked;
      }
    }
  }
  EXPECT_GE(bound_checked, 250);      // the bound was exercised on most INT4 trials
  EXPECT_LT(sum_gptq, sum_rtn);       // and GPTQ beats RTN in aggregate
  std::printf("brute force, 600 problems: GPTQ optimal in %d, sum(GPTQ)/sum(opt) = %.3f, sum(RTN)/sum(opt) = %.3f\n",
              gptq_optimal, sum_gptq / sum_opt, sum_rtn / sum_opt);
}

// Correlated calibration data: GPTQ's error is below RTN's for every format and ordering, and the
// reported errors equal tr(E H E^T) recomputed here from the weights.
TEST(Gptq, BeatsRtnOnCorrelatedData) {
  const int64_t rows = 32, cols = 64;
  const Tensor h = correlated_hessian(512, cols, 21);
  const Tensor w = randn({rows, cols}, 23, 0.5);
  for (const char* name : {"int4/ch", "int3/ch", "int4/g4", "int4/g16", "int3/g4", "int3/g16", "int4/g16/asym", "int4"}) {
    const NumberFormat f = parse_format(name);
    for (bool act_order : {false, true})
      for (bool static_groups : {false, true}) {
        if (static_groups && f.granularity != Granularity::PerGroup) continue;
        SCOPED_TRACE(std::string(name) + (act_order ? " act" : "") + (static_groups ? " static" : ""));
        const GptqResult r = gptq_quantize(w, h, f, {.act_order = act_order, .static_groups = static_groups});
        EXPECT_LT(r.error_gptq, r.error_rtn);
        EXPECT_NEAR(r.error_gptq, trace_error(w, r.weight, h), 1e-9 * r.error_gptq);
        EXPECT_NEAR(r.error_rtn, trace_error(w, fake_quantize(w, f), h), 1e-9 * r.error_rtn);
        expect_consistent(r, f);
        if (std::string(name) == "int4/ch" || std::string(name) == "int3/ch")
          std::printf("%s%s: error GPTQ / RTN = %.4f / %.4f = %.3f\n", name, act_order ? " act_order" : "", r.error_gptq,
                      r.error_rtn, r.error_gptq / r.error_rtn);
      }
  }
  // The block size only regroups the same arithmetic (per channel, where no group quirk applies).
  const NumberFormat f = parse_format("int4/ch");
  const GptqResult ref = gptq_quantize(w, h, f);
  for (int64_t block : {1, 5, 16, 64}) {
    const GptqResult r = gptq_quantize(w, h, f, {.block = block});
    EXPECT_EQ(r.codes.to_i64_vector(), ref.codes.to_i64_vector()) << block;
    EXPECT_NEAR(r.error_gptq, ref.error_gptq, 1e-12 * ref.error_gptq);
  }
}

TEST(Gptq, ActOrderGroups) {
  const int64_t rows = 6, cols = 12, g = 4;
  // Columns scaled so diag H has a known, non-monotone order.
  const std::vector<double> col_scale = {0.5, 3.0, 1.0, 0.2, 2.5, 0.7, 4.0, 0.3, 1.5, 0.9, 2.0, 0.1};
  const Tensor h = correlated_hessian(256, cols, 31, col_scale);
  const Tensor w = randn({rows, cols}, 33, 0.4);
  std::vector<int64_t> perm(cols);
  std::iota(perm.begin(), perm.end(), 0);
  std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) { return h.get_f64(a * cols + a) > h.get_f64(b * cols + b); });
  ASSERT_NE(perm, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  for (const char* name : {"int4/g4", "int3/g4/asym"}) {
    const NumberFormat f = parse_format(name);
    SCOPED_TRACE(name);
    // static_groups: natural-order groups, params of the original W.
    const GptqResult rs = gptq_quantize(w, h, f, {.act_order = true, .static_groups = true});
    for (int64_t j = 0; j < cols; ++j) EXPECT_EQ(rs.group_index.data<int32_t>()[j], j / g);
    const QuantParams p = params_from_data(w, f);
    EXPECT_EQ(rs.scale.to_f32_vector(), p.scale.to_f32_vector());
    EXPECT_EQ(rs.zero_point.to_i64_vector(), p.zero_point.to_i64_vector());
    expect_consistent(rs, f);
    EXPECT_LT(rs.error_gptq, rs.error_rtn);
    // Dynamic groups: the k-th processed column belongs to group k / g.
    const GptqResult rd = gptq_quantize(w, h, f, {.act_order = true, .static_groups = false});
    for (int64_t k = 0; k < cols; ++k) EXPECT_EQ(rd.group_index.data<int32_t>()[perm[k]], k / g) << k;
    expect_consistent(rd, f);
    EXPECT_LT(rd.error_gptq, rd.error_rtn);
    // One block (128 >= 12 columns) covers every column, and the reference finds a group's params from
    // W as it stands at the start of the block: here the original W, over columns perm[4k..4k+3].
    for (int64_t grp = 0; grp < cols / g; ++grp) {
      Tensor lo(DType::f32, {rows}), hi(DType::f32, {rows});
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t k = grp * g; k < (grp + 1) * g; ++k) {
          const float v = w.data<float>()[r * cols + perm[k]];
          lo.data<float>()[r] = std::min(lo.data<float>()[r], v);
          hi.data<float>()[r] = std::max(hi.data<float>()[r], v);
        }
      const QuantParams want = choose_params(f, lo, hi);
      for (int64_t r = 0; r < rows; ++r) {
        EXPECT_EQ(rd.scale.data<float>()[r * 3 + grp], want.scale.data<float>()[r]) << grp;
        EXPECT_EQ(rd.zero_point.data<int32_t>()[r * 3 + grp], want.zero_point.data<int32_t>()[r]) << grp;
      }
    }
    // With blocks of 4, groups 1 and 2 start a block and see the feedback of the earlier blocks.
    const GptqResult rb = gptq_quantize(w, h, f, {.block = 4, .act_order = true});
    EXPECT_EQ(rb.group_index.to_i64_vector(), rd.group_index.to_i64_vector());
    expect_consistent(rb, f);
    EXPECT_NE(rb.scale.to_f32_vector(), rd.scale.to_f32_vector());
  }
}

TEST(Gptq, DeadColumns) {
  // Column 2's input is always zero: H's row and column 2 are 0.
  const int64_t cols = 5;
  Tensor h = correlated_hessian(64, cols, 41);
  for (int64_t k = 0; k < cols; ++k) h.data<double>()[2 * cols + k] = h.data<double>()[k * cols + 2] = 0;
  const Tensor w = randn({3, cols}, 43);
  const NumberFormat f = parse_format("int4/ch/asym");
  const GptqResult r = gptq_quantize(w, h, f);
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r.weight.data<float>()[i * cols + 2], 0.f);
    EXPECT_EQ(r.codes.data<int32_t>()[i * cols + 2], r.zero_point.data<int32_t>()[i]);
  }
  expect_consistent(r, f);
  EXPECT_LE(r.error_gptq, r.error_rtn);
}

TEST(Gptq, BadInput) {
  const Tensor w = randn({4, 8}, 51);
  const Tensor h = identity(8);
  EXPECT_THROW(gptq_quantize(w, h, parse_format("fp8e4m3")), InvalidError);
  EXPECT_THROW(gptq_quantize(w, h, parse_format("mxfp4")), InvalidError);
  EXPECT_THROW(gptq_quantize(w, h, parse_format("int4").per_channel(1)), InvalidError);
  EXPECT_THROW(gptq_quantize(w, h, parse_format("int4").per_group(4, 0)), InvalidError);
  EXPECT_THROW(gptq_quantize(w, identity(7), parse_format("int4/ch")), InvalidError);
  EXPECT_THROW(gptq_quantize(randn({2, 2, 2}, 1), identity(2), parse_format("int4/ch")), InvalidError);
  EXPECT_THROW(gptq_quantize(w.cast(DType::f64), h, parse_format("int4/ch")), InvalidError);
  EXPECT_THROW(gptq_quantize(w, Tensor(), parse_format("int4/ch")), InvalidError);
  EXPECT_THROW(gptq_quantize(w, h, parse_format("int4/ch"), {.block = 0}), InvalidError);
  EXPECT_THROW(gptq_quantize(w, h, parse_format("int4/ch"), {.damp = -1}), InvalidError);
  // Indefinite H (eigenvalues 3 and -1), not fixed by damp 0.01 * mean(diag) = 0.01.
  const Tensor bad = Tensor::from_vector<double>({1, 2, 2, 1}, {2, 2});
  try {
    gptq_quantize(randn({2, 2}, 2), bad, parse_format("int4/ch"));
    FAIL() << "no error";
  } catch (const InvalidError& e) {
    EXPECT_NE(std::string(e.what()).find("Cholesky"), std::string::npos) << e.what();
  }
  Tensor nan_w = w.clone();
  nan_w.data<float>()[3] = NAN;
  EXPECT_THROW(gptq_quantize(nan_w, h, parse_format("int4/ch")), InvalidError);
}

// Timing (run with --gtest_also_run_disabled_tests): a 512x512 weight, block 128, act_order, INT4 per channel.
TEST(Gptq, DISABLED_Time512) {
  const Tensor h = correlated_hessian(2048, 512, 61);
  const Tensor w = randn({512, 512}, 63, 0.1);
  for (const char* name : {"int4/ch", "int4/g128", "int4/g4/asym"}) {
    const auto t0 = std::chrono::steady_clock::now();
    const GptqResult r = gptq_quantize(w, h, parse_format(name));
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("gptq_quantize 512x512 %s: %.1f ms, error GPTQ / RTN = %.3f\n", name, ms, r.error_gptq / r.error_rtn);
  }
}
