#include "coda/quant/smooth.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "coda/quant/axis_layout.h"

namespace coda::quant {

namespace {

constexpr const char* kWhere = "smooth";

void check_f32(const Tensor& x, const char* what) {
  if (!x.defined() || x.dtype() != DType::f32)
    throw InvalidError(kWhere, format("%s must be float32, got %s", what, x.defined() ? dtype_name(x.dtype()) : "nothing"));
}

void check_vector(const Tensor& x, const char* what, int64_t n = -1) {
  check_f32(x, what);
  if (x.rank() != 1 || (n >= 0 && x.dim(0) != n))
    throw InvalidError(kWhere, format("%s must be a vector%s, got %s", what,
                                      n >= 0 ? format(" of %lld channels", static_cast<long long>(n)).c_str() : "",
                                      shape_str(x.shape()).c_str()));
}

Tensor to_f32(const std::vector<double>& v) {
  Tensor t(DType::f32, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i) t.data<float>()[i] = static_cast<float>(v[i]);
  return t;
}

}  // namespace

ChannelStats::ChannelStats(int64_t channels) {
  if (channels < 1) throw InvalidError(kWhere, format("channel statistics need >= 1 channel, got %lld", static_cast<long long>(channels)));
  absmax_.assign(static_cast<size_t>(channels), 0.0);
  mean_.assign(static_cast<size_t>(channels), 0.0);
  m2_.assign(static_cast<size_t>(channels), 0.0);
}

void ChannelStats::add(const Tensor& x, int axis) {
  check_f32(x, "activation");
  const AxisLayout l = AxisLayout::of(x.shape(), axis, kWhere);
  if (l.dim != channels())
    throw InvalidError(kWhere, format("activation %s has %lld channels along axis %d, expected %lld", shape_str(x.shape()).c_str(),
                                      static_cast<long long>(l.dim), axis, static_cast<long long>(channels())));
  const int64_t n = l.outer * l.inner;
  if (n == 0) return;
  const float* xs = x.data<float>();
  for (int64_t k = 0; k < x.numel(); ++k)
    if (!std::isfinite(xs[k])) throw InvalidError(kWhere, "activation has a non-finite value");
  for (int64_t c = 0; c < l.dim; ++c) {
    double sum = 0, amax = 0;
    for (int64_t o = 0; o < l.outer; ++o) {
      const float* p = xs + (o * l.dim + c) * l.inner;
      for (int64_t i = 0; i < l.inner; ++i) {
        sum += p[i];
        amax = std::max(amax, std::fabs(static_cast<double>(p[i])));
      }
    }
    const double mb = sum / static_cast<double>(n);
    double m2b = 0;
    for (int64_t o = 0; o < l.outer; ++o) {
      const float* p = xs + (o * l.dim + c) * l.inner;
      for (int64_t i = 0; i < l.inner; ++i) m2b += (p[i] - mb) * (p[i] - mb);
    }
    // Merge (count_, mean_, m2_) with the batch (n, mb, m2b).
    const size_t ci = static_cast<size_t>(c);
    const double na = static_cast<double>(count_), nb = static_cast<double>(n), nt = na + nb;
    const double delta = mb - mean_[ci];
    mean_[ci] += delta * nb / nt;
    m2_[ci] += m2b + delta * delta * na * nb / nt;
    absmax_[ci] = std::max(absmax_[ci], amax);
  }
  count_ += n;
}

Tensor ChannelStats::absmax() const { return to_f32(absmax_); }
Tensor ChannelStats::mean() const { return to_f32(mean_); }
Tensor ChannelStats::variance() const {
  std::vector<double> v(m2_.size(), 0.0);
  if (count_ > 0)
    for (size_t c = 0; c < v.size(); ++c) v[c] = m2_[c] / static_cast<double>(count_);
  return to_f32(v);
}

Tensor weight_channel_absmax(const Tensor& w, int in_axis) {
  check_f32(w, "weight");
  const AxisLayout l = AxisLayout::of(w.shape(), in_axis, kWhere);
  Tensor out(DType::f32, {l.dim});
  float* o = out.data<float>();
  const float* ws = w.data<float>();
  for (int64_t k = 0; k < w.numel(); ++k) {
    if (std::isnan(ws[k])) throw InvalidError(kWhere, "weight has a NaN");
    float& m = o[l.channel_of(k)];
    m = std::max(m, std::fabs(ws[k]));
  }
  return out;
}

Tensor smoothing_scales(const Tensor& act_absmax, const Tensor& weight_absmax, double alpha, double min_scale) {
  check_vector(act_absmax, "activation absmax");
  check_vector(weight_absmax, "weight absmax", act_absmax.dim(0));
  if (!(alpha >= 0 && alpha <= 1)) throw InvalidError(kWhere, format("alpha %g must be in [0, 1]", alpha));
  if (!(min_scale >= 0) || !std::isfinite(min_scale)) throw InvalidError(kWhere, format("min_scale %g must be finite and >= 0", min_scale));
  const int64_t C = act_absmax.dim(0);
  Tensor s(DType::f32, {C});
  const float* a = act_absmax.data<float>();
  const float* wm = weight_absmax.data<float>();
  for (int64_t c = 0; c < C; ++c) {
    if (!std::isfinite(a[c]) || !std::isfinite(wm[c]) || a[c] < 0 || wm[c] < 0)
      throw InvalidError(kWhere, format("channel %lld: absmax values %g and %g must be finite and >= 0", static_cast<long long>(c),
                                        static_cast<double>(a[c]), static_cast<double>(wm[c])));
    double v = 1.0;
    if (a[c] > 0 && wm[c] > 0)
      v = std::max(std::pow(static_cast<double>(a[c]), alpha) / std::pow(static_cast<double>(wm[c]), 1.0 - alpha), min_scale);
    s.data<float>()[c] = static_cast<float>(v);
  }
  return s;
}

void exempt_top_variance(Tensor& scales, const Tensor& variance, double percent) {
  check_vector(scales, "scales");
  check_vector(variance, "variance", scales.dim(0));
  if (!(percent >= 0 && percent <= 100)) throw InvalidError(kWhere, format("percent %g must be in [0, 100]", percent));
  const int64_t C = scales.dim(0);
  const float* v = variance.data<float>();
  for (int64_t c = 0; c < C; ++c)
    if (std::isnan(v[c])) throw InvalidError(kWhere, "variance has a NaN");
  // ceil, with a relative tolerance so that e.g. 1.1% of 1000 (1100.0000000000002 / 100) counts 11.
  const double exact = percent * static_cast<double>(C) / 100.0;
  const auto k = std::min(C, static_cast<int64_t>(std::ceil(exact - 1e-9 * std::max(1.0, exact))));
  std::vector<int64_t> order(static_cast<size_t>(C));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return v[a] > v[b]; });
  for (int64_t i = 0; i < k; ++i) scales.data<float>()[order[static_cast<size_t>(i)]] = 1.f;
}

}  // namespace coda::quant
