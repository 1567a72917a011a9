// KlObserver: TensorRT's entropy calibration (symmetric, per tensor).
//
// Algorithm of S. Migacz, "8-bit Inference with TensorRT", NVIDIA GTC 2017: histogram |x| of all
// observed values into 2048 bins over [0, amax]; for each candidate i = 128..2048 bins,
//   P = bins[0..i) with the outliers sum(bins[i..]) added to P[i-1];
//   Q = bins[0..i) merged into 128 levels, each level's count spread evenly over its bins where P != 0;
// smooth P and Q (eps = 1e-4 moved onto zero bins, as MXNet / ONNX Runtime do), normalise, and take
// threshold = i * bin_width for the i with the smallest KL(P || Q) (first minimum). Level j of Q covers
// bins [floor(j*i/128), floor((j+1)*i/128)), an even split (MXNet instead puts the remainder in the last level).
// Observed values are all kept (4 bytes each) and binned in range(), so the histogram range is the
// final amax, not that of the first batch. range() = {-T, T}.
//
//   KlObserver obs;                 // 2048 bins, 128 quantized levels (int8)
//   obs.observe(batch);
//   Range r = obs.range();
#pragma once
#include "coda/quant/observer.h"

namespace coda::quant {

class KlObserver : public Observer {
 public:
  explicit KlObserver(int num_bins = 2048, int num_quantized_bins = 128);
  void observe(const Tensor& x) override;
  Range range() const override;

 private:
  int num_bins_, num_quantized_bins_;
  std::vector<float> abs_values_;
};

// KL(P || Q) of the TensorRT candidate that keeps the first `i` bins of `hist` (exposed for tests).
double kl_candidate_divergence(const std::vector<double>& hist, int i, int num_quantized_bins);

}  // namespace coda::quant
