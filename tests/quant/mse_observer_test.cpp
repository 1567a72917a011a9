// MSE-optimal clipping: compared with an independent brute-force scan and a hand-derived optimum.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "coda/quant/mse_observer.h"

using namespace coda;
using namespace coda::quant;

namespace {

// Symmetric INT-b fake quantization written out independently of quant/quantize.cpp.
double sym_mse(const std::vector<float>& v, int bits, double t) {
  const double qmax = std::exp2(bits - 1) - 1;
  const float scale = static_cast<float>(t / qmax);
  double err = 0;
  for (float x : v) {
    const double q = std::clamp(static_cast<double>(std::nearbyint(x / scale)), -qmax, qmax);
    const double d = static_cast<double>(static_cast<float>(q * scale)) - x;
    err += d * d;
  }
  return err;
}

}  // namespace

TEST(MseObserver, MatchesBruteForceScan) {
  std::mt19937 rng(1);
  std::normal_distribution<float> g(0.f, 1.f);
  std::vector<float> v(64);
  for (float& a : v) a = g(rng);
  v[7] = 6.f;  // an outlier
  MseObserver obs(parse_format("int4"), 200);
  obs.observe(Tensor::from_vector<float>(std::vector<float>(v.begin(), v.begin() + 32), {32}));
  obs.observe(Tensor::from_vector<float>(std::vector<float>(v.begin() + 32, v.end()), {32}));
  const float got = obs.range().max.data<float>()[0];
  // Brute force over the same candidates t = k/200 * amax (all negatives are above -6, so amax = 6).
  double best = INFINITY, best_t = 0;
  for (int k = 200; k >= 1; --k) {
    const double t = static_cast<float>(k / 200.f) * 6.f;
    const double e = sym_mse(v, 4, t);
    if (e < best) best = e, best_t = t;
  }
  EXPECT_FLOAT_EQ(got, static_cast<float>(best_t));
  EXPECT_LT(got, 6.f);  // the outlier is clipped: with 64 N(0,1) values, +-6 in 7 steps wastes the grid
  // And no finer threshold does much better than the 1/200 grid.
  double fine = INFINITY;
  for (int k = 1; k <= 20000; ++k) fine = std::min(fine, sym_mse(v, 4, k * 6.0 / 20000));
  EXPECT_LE(fine, best);
  EXPECT_GE(fine, 0.9 * best);
}

TEST(MseObserver, HandDerivedOptimum) {
  // INT2 symmetric: levels {-t, 0, t}. 100 values at 1.0 and one at 3.0.
  // t < 1: error 100 (1 - t)^2 + (3 - t)^2, decreasing in t. 1 <= t <= 2: the 1.0s round to t and 3
  // clips to t: f(t) = 100 (t - 1)^2 + (3 - t)^2, minimal at 202 t = 206, t = 1.0198. t > 2: the 1.0s
  // round to 0, error >= 100. On the grid t = 3k/200 = 0.015k the nearest points are k = 68 (t = 1.02,
  // f = 0.04 + 3.9204 = 3.9604) and k = 67 (t = 1.005, f = 0.0025 + 3.980 = 3.9825): the optimum is 1.02.
  std::vector<float> v(100, 1.f);
  v.push_back(3.f);
  MseObserver obs(parse_format("int2"), 200);
  obs.observe(Tensor::from_vector<float>(v, {101}));
  EXPECT_NEAR(obs.range().max.data<float>()[0], 1.02f, 1e-6);
  EXPECT_EQ(obs.range().min.data<float>()[0], 0.f);
}

TEST(MseObserver, RejectsFormatsWithoutAClippingRange) {
  EXPECT_THROW(MseObserver(parse_format("mxfp4")), InvalidError);
  EXPECT_THROW(MseObserver(parse_format("int8/ch")), InvalidError);
  EXPECT_THROW(MseObserver(parse_format("int8"), 0), InvalidError);
}
