// KL-entropy (TensorRT) calibration.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "coda/quant/kl_observer.h"

using namespace coda;
using namespace coda::quant;

TEST(KlObserver, CandidateDivergenceByHand) {
  const std::vector<double> hist = {3, 1, 2, 0};
  // i = 2 bins, 2 levels: P = {3, 1 + 2 outliers} = {3, 3}; Q is built from the unfolded bins, one per
  // level: {3, 1}. KL = 1/2 ln((1/2)/(3/4)) + 1/2 ln((1/2)/(1/4)) = 1/2 ln(4/3). No zero bins: no smoothing.
  EXPECT_NEAR(kl_candidate_divergence(hist, 2, 2), 0.5 * std::log(4.0 / 3.0), 1e-12);
  // i = 4: P = {3, 1, 2, 0}; level 0 = bins 0-1 (total 4 over 2 non-zero bins -> 2, 2), level 1 = bins
  // 2-3 (total 2, only bin 2 non-zero in P -> 2, 0): Q = {2, 2, 2, 0}. Both have one zero bin, which
  // smoothing gives eps = 1e-4 taken evenly from the other three.
  auto smooth = [](std::vector<double> p) {
    for (double& v : p) v = v == 0 ? 1e-4 : v - 1e-4 / 3;
    return p;
  };
  const std::vector<double> p = smooth({3, 1, 2, 0}), q = smooth({2, 2, 2, 0});
  double kl = 0;
  for (size_t j = 0; j < 4; ++j) kl += p[j] / 6 * std::log(p[j] / q[j]);  // both still sum to 6
  EXPECT_NEAR(kl_candidate_divergence(hist, 4, 2), kl, 1e-12);
  EXPECT_NEAR(kl, 0.5 * std::log(1.5) + std::log(0.5) / 6, 1e-4);  // the unsmoothed value
}

TEST(KlObserver, UniformWithOneOutlierClipsAtTheUniformEdge) {
  // 100k samples of U(-1, 1) plus one 10. Bin width 10/2048, candidates T >= 128 bins = 0.625.
  // T < 1 folds a (1 - T) share of all mass into P's last bin while Q spreads it over its level: large KL.
  // T >= 1 holds all but one sample in [0, T) and the uniform density makes Q ~= P; merging more bins per
  // level only adds noise, so the minimum sits at the edge, 1 <= T < 1.25 (a generous 25% margin).
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> v(100000);
  for (float& a : v) a = u(rng);
  v[500] = 10.f;
  KlObserver obs;
  obs.observe(Tensor::from_vector<float>(v, {static_cast<int64_t>(v.size())}));
  const Range r = obs.range();
  const float t = r.max.data<float>()[0];
  EXPECT_EQ(r.min.data<float>()[0], -t);
  EXPECT_GE(t, 0.99f);
  EXPECT_LT(t, 1.25f);
}

TEST(KlObserver, GaussianThresholdWellBelowMax) {
  // 200k samples of N(0, 1), amax ~ 4.7 sigma, 2048 bins -> ~440 bins per sigma. Two costs trade off:
  // - clipping at T folds the mass m(T) = P(|x| > T) into P's last bin while Q spreads it over a level of
  //   i/128 ~ 16 bins: KL ~ m(T) ln 16 ~ 2.8 m(T), so d/dT ~ -2.8 * 2 phi(T);
  // - keeping i bins merges i - 128 noisy (Poisson) bins into levels, KL ~ (i - 128) / (2N), which grows by
  //   ~440 / (2 * 200000) ~ 1.1e-3 per sigma of T.
  // They balance where phi(T) ~ 2e-4, i.e. T ~ 3.9 sigma: above 3.5 sigma and clearly below amax.
  std::mt19937 rng(2024);
  std::normal_distribution<float> g(0.f, 1.f);
  std::vector<float> v(200000);
  float amax = 0;
  for (float& a : v) a = g(rng), amax = std::max(amax, std::fabs(a));
  KlObserver obs;
  for (int b = 0; b < 4; ++b)
    obs.observe(Tensor::from_vector<float>(std::vector<float>(v.begin() + b * 50000, v.begin() + (b + 1) * 50000), {50000}));
  const float t = obs.range().max.data<float>()[0];
  EXPECT_GT(t, 3.5f);
  EXPECT_LT(t, 4.5f);
  EXPECT_LT(t, amax - 0.25f);  // more than 100 bins below the max
}

TEST(KlObserver, Errors) {
  EXPECT_THROW(KlObserver(100, 128), InvalidError);
  KlObserver obs;
  EXPECT_THROW(obs.range(), InvalidError);
  obs.observe(Tensor(DType::f32, {4}));
  EXPECT_EQ(obs.range().max.data<float>()[0], 0.f);
}
