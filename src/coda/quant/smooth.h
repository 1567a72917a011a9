// Activation smoothing (SmoothQuant, Xiao et al. 2023; ESCA's ICAS and FFAS): per-input-channel
// scales s_c that move quantization difficulty from activations to weights. A layer computes the
// same product with x_c / s_c and W[.., c, ..] * s_c.
//
//   ChannelStats stats(C);
//   for (const Tensor& x : calib) stats.add(x /*[N, C, H, W]*/, /*axis=*/1);
//   Tensor s = smoothing_scales(stats.absmax(), weight_channel_absmax(w, /*in_axis=*/1), /*alpha=*/0.8);
//   exempt_top_variance(s, stats.variance(), /*percent=*/1.0);   // FFAS: the 1% most varied channels keep s = 1
//
// ESCA (qlib/base.py set_smooth) takes the statistics of |x| * ROI (feed add() that tensor) and
// picks k = round(C * percent / 100) channels; coda uses ceil (at least one channel for percent > 0).
#pragma once
#include <cstdint>
#include <vector>

#include "coda/core/tensor.h"

namespace coda::quant {

// Per-channel statistics of activations along a channel axis, accumulated over calls (in double;
// mean and variance merged exactly across calls by Chan et al.'s pairwise update).
class ChannelStats {
 public:
  explicit ChannelStats(int64_t channels);  // channels >= 1
  // x: f32 with x.dim(axis) == channels (axis may be negative); every element is one sample of its
  // channel. Non-finite values or a shape mismatch -> InvalidError.
  void add(const Tensor& x, int axis);
  Tensor absmax() const;    // f32 [C]: max |x_c| (0 before any data)
  Tensor mean() const;      // f32 [C]
  Tensor variance() const;  // f32 [C]: population variance (divides by the count) over everything added
  int64_t count() const { return count_; }  // samples per channel so far
  int64_t channels() const { return static_cast<int64_t>(absmax_.size()); }

 private:
  std::vector<double> absmax_, mean_, m2_;
  int64_t count_ = 0;
};

// Per-input-channel absmax of a weight: max |w| over every axis but in_axis. in_axis is 1 for Conv
// [K, C, kh, kw] and Gemm with transB [out, in]; 0 for MatMul [in, out] and ConvTranspose
// [C_in, C_out, kh, kw]. f32 [w.dim(in_axis)].
Tensor weight_channel_absmax(const Tensor& w, int in_axis);

// s_c = max(act_absmax_c^alpha / weight_absmax_c^(1-alpha), min_scale); a channel whose act or
// weight absmax is 0 gets s = 1. Inputs f32 [C], finite, >= 0; alpha in [0, 1]; min_scale >= 0.
Tensor smoothing_scales(const Tensor& act_absmax, const Tensor& weight_absmax, double alpha, double min_scale = 1e-5);

// FFAS: the ceil(percent / 100 * C) channels of highest variance get s = 1 (ties: lower index
// first). scales and variance f32 [C]; percent in [0, 100]. scales is changed in place.
void exempt_top_variance(Tensor& scales, const Tensor& variance, double percent);

}  // namespace coda::quant
