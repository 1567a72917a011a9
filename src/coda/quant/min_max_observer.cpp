#include <algorithm>
#include <cmath>

#include "coda/quant/axis_layout.h"
#include "coda/quant/observer.h"

namespace coda::quant {

void check_observed(const Tensor& x, const char* observer) {
  if (x.dtype() != DType::f32)
    throw InvalidError(observer, format("observes float32 tensors, got %s", dtype_name(x.dtype())));
}

Range scalar_range(float min, float max) { return {Tensor::scalar<float>(min), Tensor::scalar<float>(max)}; }

void MinMaxObserver::observe(const Tensor& x) {
  check_observed(x, "min-max observer");
  const int64_t channels = axis_ ? AxisLayout::of(x.shape(), *axis_, "min-max observer").dim : 1;
  if (!seen_) {
    min_.assign(static_cast<size_t>(channels), INFINITY);
    max_.assign(static_cast<size_t>(channels), -INFINITY);
    seen_ = true;
  } else if (static_cast<int64_t>(min_.size()) != channels) {
    throw InvalidError("min-max observer", format("batch has %lld channels along axis %d, earlier batches had %zu",
                                                  static_cast<long long>(channels), *axis_, min_.size()));
  }
  const AxisLayout l = axis_ ? AxisLayout::of(x.shape(), *axis_, "min-max observer") : AxisLayout{};
  const float* xs = x.data<float>();
  for (int64_t k = 0; k < x.numel(); ++k) {
    if (!std::isfinite(xs[k])) continue;
    const size_t c = axis_ ? static_cast<size_t>(l.channel_of(k)) : 0;
    min_[c] = std::min(min_[c], xs[k]);
    max_[c] = std::max(max_[c], xs[k]);
  }
}

Range MinMaxObserver::range() const {
  if (!seen_) throw InvalidError("min-max observer", "range() before any observe()");
  auto fin = [](float v) { return std::isfinite(v) ? v : 0.f; };  // a batch of only NaN/inf
  if (!axis_) return scalar_range(fin(min_[0]), fin(max_[0]));
  const int64_t n = static_cast<int64_t>(min_.size());
  Range r{Tensor(DType::f32, {n}), Tensor(DType::f32, {n})};
  for (int64_t c = 0; c < n; ++c) {
    r.min.data<float>()[c] = fin(min_[static_cast<size_t>(c)]);
    r.max.data<float>()[c] = fin(max_[static_cast<size_t>(c)]);
  }
  return r;
}

}  // namespace coda::quant
