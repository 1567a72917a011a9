// MseObserver: the clipping range that minimises the quantization MSE of the observed data.
//
// Per tensor. Keeps every finite observed value. With [lo, hi] the observed min/max widened to include
// 0, it tries the ranges [r*lo, r*hi] for r = k/N, k = N, N-1, ..., 1 (grid resolution 1/N of the
// full range, N = grid_steps, default 200) and returns the one whose fake_quantize in `format`
// (per-tensor scales from choose_params) has the smallest sum of squared errors; ties keep the wider range.
// Only Int and Fp8 formats with per-tensor scales have a clipping range to search (InvalidError otherwise).
//
//   MseObserver obs(parse_format("int4"));
//   obs.observe(batch);
//   Range r = obs.range();
#pragma once
#include "coda/quant/number_format.h"
#include "coda/quant/observer.h"

namespace coda::quant {

class MseObserver : public Observer {
 public:
  explicit MseObserver(NumberFormat format, int grid_steps = 200);
  void observe(const Tensor& x) override;
  Range range() const override;

 private:
  NumberFormat format_;
  int grid_steps_;
  std::vector<float> values_;
};

}  // namespace coda::quant
