#include "coda/quant/percentile_observer.h"

#include <algorithm>
#include <cmath>

namespace coda::quant {

int64_t nearest_rank(double percentile, int64_t n) {
  const double r = percentile / 100.0 * static_cast<double>(n);
  const int64_t k = static_cast<int64_t>(std::ceil(r - 1e-9 * std::max(1.0, r)));
  return std::clamp<int64_t>(k, 1, n);
}

PercentileObserver::PercentileObserver(double percentile) : percentile_(percentile) {
  if (!(percentile > 50 && percentile <= 100))
    throw InvalidError("percentile observer", format("percentile %g is outside (50, 100]", percentile));
}

void PercentileObserver::observe(const Tensor& x) {
  check_observed(x, "percentile observer");
  const float* xs = x.data<float>();
  for (int64_t k = 0; k < x.numel(); ++k)
    if (std::isfinite(xs[k])) values_.push_back(xs[k]);
}

Range PercentileObserver::range() const {
  if (values_.empty()) throw InvalidError("percentile observer", "range() before any finite value was observed");
  std::vector<float> v = values_;
  const int64_t n = static_cast<int64_t>(v.size()), k = nearest_rank(percentile_, n);
  std::nth_element(v.begin(), v.begin() + (k - 1), v.end());
  const float hi = v[static_cast<size_t>(k - 1)];
  std::nth_element(v.begin(), v.begin() + (n - k), v.end());
  const float lo = v[static_cast<size_t>(n - k)];
  return scalar_range(lo, hi);
}

}  // namespace coda::quant
