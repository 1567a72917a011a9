// PercentileObserver: clips the range to the p-th percentile of all observed values (per tensor).
//
// Exact and deterministic: every finite observed value is kept (4 bytes each) and the nearest-rank
// percentile is read with nth_element: max = v[k-1] and min = v[n-k] of the sorted values, with
// k = ceil(p/100 * n). (A histogram would use less memory but only approximate the rank.)
//
//   PercentileObserver obs(99.99);
//   obs.observe(batch);
//   Range r = obs.range();   // scalars
#pragma once
#include "coda/quant/observer.h"

namespace coda::quant {

class PercentileObserver : public Observer {
 public:
  explicit PercentileObserver(double percentile = 99.99);  // InvalidError outside (50, 100]
  void observe(const Tensor& x) override;
  Range range() const override;

 private:
  double percentile_;
  std::vector<float> values_;
};

// The nearest-rank k = ceil(p/100 * n), in [1, n] (robust to p/100*n landing a hair above an integer).
int64_t nearest_rank(double percentile, int64_t n);

}  // namespace coda::quant
