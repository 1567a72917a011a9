#include "coda/quant/kl_observer.h"

#include <algorithm>
#include <cmath>

namespace coda::quant {

namespace {

// MXNet's _smooth_distribution: move eps onto each zero bin, taken evenly from the non-zero ones.
void smooth(std::vector<double>& p) {
  constexpr double eps = 1e-4;
  const auto zeros = static_cast<double>(std::count(p.begin(), p.end(), 0.0));
  const double nonzeros = static_cast<double>(p.size()) - zeros;
  const double eps1 = eps * zeros / nonzeros;
  for (double& v : p) v = v == 0 ? eps : v - eps1;
}

}  // namespace

double kl_candidate_divergence(const std::vector<double>& hist, int i, int nq) {
  CODA_CHECK(i >= nq && i <= static_cast<int>(hist.size()), "candidate %d out of range", i);
  std::vector<double> p(hist.begin(), hist.begin() + i), q(static_cast<size_t>(i), 0.0);
  for (size_t j = static_cast<size_t>(i); j < hist.size(); ++j) p.back() += hist[j];
  for (int level = 0; level < nq; ++level) {
    const int start = static_cast<int>(int64_t{level} * i / nq), stop = static_cast<int>(int64_t{level + 1} * i / nq);
    double total = 0;
    int nonzero = 0;
    for (int j = start; j < stop; ++j) total += hist[static_cast<size_t>(j)], nonzero += p[static_cast<size_t>(j)] != 0;
    for (int j = start; j < stop; ++j)
      if (p[static_cast<size_t>(j)] != 0) q[static_cast<size_t>(j)] = total / nonzero;
  }
  const auto all_zero = [](const std::vector<double>& v) { return std::all_of(v.begin(), v.end(), [](double x) { return x == 0; }); };
  if (all_zero(p) || all_zero(q)) return INFINITY;
  smooth(p);
  smooth(q);
  double sp = 0, sq = 0;
  for (int j = 0; j < i; ++j) sp += p[static_cast<size_t>(j)], sq += q[static_cast<size_t>(j)];
  double kl = 0;
  for (int j = 0; j < i; ++j) {
    const double pj = p[static_cast<size_t>(j)] / sp, qj = q[static_cast<size_t>(j)] / sq;
    if (pj > 0) kl += pj * std::log(pj / qj);
  }
  return kl;
}

KlObserver::KlObserver(int num_bins, int num_quantized_bins)
    : num_bins_(num_bins), num_quantized_bins_(num_quantized_bins) {
  if (num_quantized_bins < 2 || num_bins < num_quantized_bins)
    throw InvalidError("kl observer", format("needs 2 <= quantized bins (%d) <= bins (%d)", num_quantized_bins, num_bins));
}

void KlObserver::observe(const Tensor& x) {
  check_observed(x, "kl observer");
  const float* xs = x.data<float>();
  for (int64_t k = 0; k < x.numel(); ++k)
    if (std::isfinite(xs[k])) abs_values_.push_back(std::fabs(xs[k]));
}

Range KlObserver::range() const {
  if (abs_values_.empty()) throw InvalidError("kl observer", "range() before any finite value was observed");
  const float amax = *std::max_element(abs_values_.begin(), abs_values_.end());
  if (amax == 0) return scalar_range(0.f, 0.f);
  const double width = static_cast<double>(amax) / num_bins_;
  std::vector<double> hist(static_cast<size_t>(num_bins_), 0.0);
  for (float v : abs_values_) hist[static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(v / width), num_bins_ - 1))] += 1;
  int best_i = num_bins_;
  double best = INFINITY;
  for (int i = num_quantized_bins_; i <= num_bins_; ++i) {
    const double kl = kl_candidate_divergence(hist, i, num_quantized_bins_);
    if (kl < best) best = kl, best_i = i;
  }
  const float t = static_cast<float>(best_i * width);
  return scalar_range(-t, t);
}

}  // namespace coda::quant
