#include "coda/quant/mse_observer.h"

#include <algorithm>
#include <cmath>

#include "coda/quant/quantize.h"

namespace coda::quant {

MseObserver::MseObserver(NumberFormat format, int grid_steps) : format_(format), grid_steps_(grid_steps) {
  if (format.is_block_format() || format.granularity != Granularity::PerTensor)
    throw InvalidError("mse observer", format_name(format) + " has no per-tensor clipping range to search");
  if (grid_steps < 1) throw InvalidError("mse observer", coda::format("grid_steps %d is not positive", grid_steps));
}

void MseObserver::observe(const Tensor& x) {
  check_observed(x, "mse observer");
  const float* xs = x.data<float>();
  for (int64_t k = 0; k < x.numel(); ++k)
    if (std::isfinite(xs[k])) values_.push_back(xs[k]);
}

Range MseObserver::range() const {
  if (values_.empty()) throw InvalidError("mse observer", "range() before any finite value was observed");
  const Tensor x = Tensor::from_vector<float>(values_, {static_cast<int64_t>(values_.size())});
  const float lo = std::min(0.f, *std::min_element(values_.begin(), values_.end()));
  const float hi = std::max(0.f, *std::max_element(values_.begin(), values_.end()));
  double best = INFINITY;
  float best_lo = lo, best_hi = hi;
  for (int k = grid_steps_; k >= 1; --k) {
    const float r = static_cast<float>(k) / static_cast<float>(grid_steps_);
    const Tensor y = fake_quantize(x, format_, choose_params(format_, r * lo, r * hi));
    double err = 0;
    for (size_t i = 0; i < values_.size(); ++i) {
      const double d = static_cast<double>(y.data<float>()[i]) - values_[i];
      err += d * d;
    }
    if (err < best) best = err, best_lo = r * lo, best_hi = r * hi;
  }
  return scalar_range(best_lo, best_hi);
}

}  // namespace coda::quant
