// Smoothing: channel statistics, weight absmax per input channel, SmoothQuant scales and the FFAS
// top-variance exemption, against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "coda/quant/smooth.h"

using namespace coda;
using namespace coda::quant;

TEST(ChannelStats, HandWorkedAcrossBatches) {
  // Channels along axis 1 of [rows, 3]. Batch 1 rows [1, -2, 0], [3, 2, 0]; batch 2 row [5, -8, 0].
  ChannelStats s(3);
  EXPECT_EQ(s.absmax().to_f32_vector(), (std::vector<float>{0, 0, 0}));
  s.add(Tensor::from_vector<float>({1, -2, 0, 3, 2, 0}, {2, 3}), 1);
  s.add(Tensor::from_vector<float>({5, -8, 0}, {1, 3}), -1);
  // channel 0: {1, 3, 5}: mean 3, population variance (4 + 0 + 4) / 3 = 8/3; absmax 5
  // channel 1: {-2, 2, -8}: mean -8/3, variance ((2/3)^2 + (14/3)^2 + (16/3)^2) / 3 = (4 + 196 + 256) / 27 = 456/27
  EXPECT_EQ(s.count(), 3);
  EXPECT_EQ(s.absmax().to_f32_vector(), (std::vector<float>{5, 8, 0}));
  const std::vector<float> mean = s.mean().to_f32_vector(), var = s.variance().to_f32_vector();
  EXPECT_FLOAT_EQ(mean[0], 3.f);
  EXPECT_FLOAT_EQ(mean[1], -8.f / 3);
  EXPECT_FLOAT_EQ(var[0], 8.f / 3);
  EXPECT_FLOAT_EQ(var[1], 456.f / 27);
  EXPECT_EQ(var[2], 0.f);
}

TEST(ChannelStats, NchwMatchesOneBatch) {
  // Statistics merged over batches equal those of the concatenation, computed here directly.
  std::mt19937 rng(5);
  std::normal_distribution<float> nd(0.5f, 2.f);
  const int64_t C = 4, H = 3, W = 2;
  ChannelStats merged(C);
  std::vector<std::vector<double>> all(C);
  for (int64_t n : {1, 3, 2}) {
    Tensor x(DType::f32, {n, C, H, W});
    for (int64_t k = 0; k < x.numel(); ++k) {
      x.data<float>()[k] = nd(rng);
      all[(k / (H * W)) % C].push_back(x.data<float>()[k]);
    }
    merged.add(x, 1);
  }
  for (int64_t c = 0; c < C; ++c) {
    double m = 0, v = 0, a = 0;
    for (double e : all[c]) m += e, a = std::max(a, std::fabs(e));
    m /= static_cast<double>(all[c].size());
    for (double e : all[c]) v += (e - m) * (e - m);
    v /= static_cast<double>(all[c].size());
    EXPECT_FLOAT_EQ(merged.mean().to_f32_vector()[c], static_cast<float>(m));
    EXPECT_FLOAT_EQ(merged.variance().to_f32_vector()[c], static_cast<float>(v));
    EXPECT_EQ(merged.absmax().to_f32_vector()[c], static_cast<float>(a));
  }
  EXPECT_EQ(merged.count(), 6 * H * W);
  EXPECT_THROW(merged.add(Tensor(DType::f32, {1, 5, 2, 2}), 1), InvalidError);
  EXPECT_THROW(merged.add(Tensor(DType::f32, {1, 4}), 2), InvalidError);
  EXPECT_THROW(merged.add(Tensor::from_vector<float>({1, NAN, 0, 0}, {1, 4}), 1), InvalidError);
  EXPECT_THROW(ChannelStats(0), InvalidError);
}

TEST(Smooth, WeightChannelAbsmax) {
  // Conv-like [K=2, C=3, 1, 2]: element (k, c, 0, t) = v[(k*3 + c)*2 + t].
  const Tensor w = Tensor::from_vector<float>({1, -7, 2, 0, -3, 3, 4, 1, -0.5f, 6, 0, -2}, {2, 3, 1, 2});
  // in_axis 1 (C): c0 {1,-7,4,1} -> 7; c1 {2,0,-0.5,6} -> 6; c2 {-3,3,0,-2} -> 3
  EXPECT_EQ(weight_channel_absmax(w, 1).to_f32_vector(), (std::vector<float>{7, 6, 3}));
  // in_axis 0 (ConvTranspose [C_in, C_out, kh, kw]): rows {1,-7,2,0,-3,3} -> 7, {4,1,-0.5,6,0,-2} -> 6
  EXPECT_EQ(weight_channel_absmax(w, 0).to_f32_vector(), (std::vector<float>{7, 6}));
  // Gemm transB [out=2, in=3] (in_axis 1) and MatMul [in=3, out=2] (in_axis 0) of the same matrix.
  const Tensor g = Tensor::from_vector<float>({1, -5, 2, -3, 4, 0.5f}, {2, 3});
  EXPECT_EQ(weight_channel_absmax(g, 1).to_f32_vector(), (std::vector<float>{3, 5, 2}));
  const Tensor m = Tensor::from_vector<float>({1, -3, -5, 4, 2, 0.5f}, {3, 2});
  EXPECT_EQ(weight_channel_absmax(m, 0).to_f32_vector(), (std::vector<float>{3, 5, 2}));
  EXPECT_THROW(weight_channel_absmax(g, 2), InvalidError);
}

TEST(Smooth, SmoothingScales) {
  // alpha 0.5: sqrt(4) / sqrt(1) = 2; sqrt(1) / sqrt(16) = 0.25; zero act or weight -> 1;
  // 1e-20 vs 1: 1e-10, clamped to min_scale 1e-5.
  const Tensor a = Tensor::from_vector<float>({4, 1, 0, 3, 1e-20f}, {5});
  const Tensor w = Tensor::from_vector<float>({1, 16, 2, 0, 1}, {5});
  const std::vector<float> s = smoothing_scales(a, w, 0.5).to_f32_vector();
  EXPECT_FLOAT_EQ(s[0], 2.f);
  EXPECT_FLOAT_EQ(s[1], 0.25f);
  EXPECT_EQ(s[2], 1.f);
  EXPECT_EQ(s[3], 1.f);
  EXPECT_FLOAT_EQ(s[4], 1e-5f);
  // ESCA's alpha 0.8: 32^0.8 / 32^0.2 = 16 / 2 = 8; 1^0.8 / 1024^0.2 = 1/4.
  const std::vector<float> e = smoothing_scales(Tensor::from_vector<float>({32, 1}, {2}), Tensor::from_vector<float>({32, 1024}, {2}), 0.8)
                                   .to_f32_vector();
  EXPECT_FLOAT_EQ(e[0], 8.f);
  EXPECT_FLOAT_EQ(e[1], 0.25f);
  // alpha 1: s = act absmax; alpha 0: s = 1 / weight absmax.
  EXPECT_FLOAT_EQ(smoothing_scales(a, w, 1.0).to_f32_vector()[0], 4.f);
  EXPECT_FLOAT_EQ(smoothing_scales(a, w, 0.0).to_f32_vector()[1], 1.f / 16);
  EXPECT_THROW(smoothing_scales(a, Tensor(DType::f32, {4}), 0.5), InvalidError);
  EXPECT_THROW(smoothing_scales(a, w, 1.5), InvalidError);
  EXPECT_THROW(smoothing_scales(Tensor::from_vector<float>({-1}, {1}), Tensor::from_vector<float>({1}, {1}), 0.5), InvalidError);
  EXPECT_THROW(smoothing_scales(a, w, 0.5, -1), InvalidError);
}

TEST(Smooth, ExemptTopVariance) {
  const Tensor var = Tensor::from_vector<float>({0.5f, 3, 1, 3, 2}, {5});
  auto run = [&](double percent) {
    Tensor s = Tensor::from_vector<float>({0.1f, 0.2f, 0.3f, 0.4f, 0.5f}, {5});
    exempt_top_variance(s, var, percent);
    return s.to_f32_vector();
  };
  // 20% of 5 = 1 channel: channels 1 and 3 tie at variance 3 -> the lower index, 1.
  EXPECT_EQ(run(20), (std::vector<float>{0.1f, 1, 0.3f, 0.4f, 0.5f}));
  // 30% of 5 = 1.5 -> ceil 2: channels 1 and 3.
  EXPECT_EQ(run(30), (std::vector<float>{0.1f, 1, 0.3f, 1, 0.5f}));
  // 60% -> 3: then channel 4 (variance 2).
  EXPECT_EQ(run(60), (std::vector<float>{0.1f, 1, 0.3f, 1, 1}));
  EXPECT_EQ(run(0), (std::vector<float>{0.1f, 0.2f, 0.3f, 0.4f, 0.5f}));
  EXPECT_EQ(run(1), (std::vector<float>{0.1f, 1, 0.3f, 0.4f, 0.5f}));  // ceil(0.05) = 1
  EXPECT_EQ(run(100), (std::vector<float>{1, 1, 1, 1, 1}));
  // 1.1% of 1000 channels is 11 exactly (1.1 * 1000 / 100 is 11.000000000000002 in doubles).
  Tensor big(DType::f32, {1000}), bigvar(DType::f32, {1000});
  for (int i = 0; i < 1000; ++i) bigvar.data<float>()[i] = static_cast<float>(i);
  exempt_top_variance(big, bigvar, 1.1);
  int ones = 0;
  for (int i = 0; i < 1000; ++i) ones += big.data<float>()[i] == 1.f;
  EXPECT_EQ(ones, 11);
  EXPECT_EQ(big.data<float>()[989], 1.f);
  EXPECT_EQ(big.data<float>()[988], 0.f);
  Tensor s(DType::f32, {5});
  EXPECT_THROW(exempt_top_variance(s, Tensor(DType::f32, {4}), 10), InvalidError);
  EXPECT_THROW(exempt_top_variance(s, var, 101), InvalidError);
  EXPECT_THROW(exempt_top_variance(s, var, -1), InvalidError);
}
