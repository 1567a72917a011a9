// Hypervolume improvement and EHVI by a grid box decomposition (bo.h), Monte Carlo when too large.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "coda/core/error.h"
#include "coda/dse/bo.h"
#include "coda/dse/pareto.h"

namespace coda::dse {
namespace {

constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kInvSqrt2 = 0.70710678118654752440;

// ψ(c) = E[(c - Y)^+] for Y ~ N(mu, sd²).
double psi(double c, double mu, double sd) {
  if (!(sd > 1e-300)) return std::max(0.0, c - mu);
  const double z = (c - mu) / sd;
  return (c - mu) * 0.5 * std::erfc(-z * kInvSqrt2) + sd * kInvSqrt2Pi * std::exp(-0.5 * z * z);
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z * kInvSqrt2); }

}  // namespace

HypervolumeImprovement::HypervolumeImprovement(const std::vector<std::vector<double>>& front, const std::vector<double>& ref,
                                               size_t max_cells, size_t samples, uint64_t seed)
    : m_(ref.size()), ref_(ref) {
  if (m_ == 0) throw InvalidError("ehvi", "empty reference point");
  std::vector<std::vector<double>> inside;
  for (const auto& p : front) {
    if (p.size() != m_) throw InvalidError("ehvi", format("front point has %zu objectives, expected %zu", p.size(), m_));
    bool ok = true;
    for (size_t j = 0; j < m_ && ok; ++j) ok = p[j] < ref[j];
    if (ok) inside.push_back(p);
  }
  for (size_t i : pareto_front(inside, std::vector<Sense>(m_, Sense::Minimize))) front_.push_back(inside[i]);
  std::sort(front_.begin(), front_.end());
  front_.erase(std::unique(front_.begin(), front_.end()), front_.end());

  const size_t axes = m_ - 1;
  cuts_.resize(axes);
  double total = 1;
  for (size_t j = 0; j < axes; ++j) {
    for (const auto& p : front_) cuts_[j].push_back(p[j]);
    cuts_[j].push_back(ref[j]);
    std::sort(cuts_[j].begin(), cuts_[j].end());
    cuts_[j].erase(std::unique(cuts_[j].begin(), cuts_[j].end()), cuts_[j].end());
    total *= static_cast<double>(cuts_[j].size());
  }
  if (total > static_cast<double>(max_cells)) {
    // Monte Carlo: uniform points of [lo, ref] not dominated by the front.
    exact_ = false;
    cuts_.clear();
    std::vector<double> lo(m_);
    double vol = 1;
    for (size_t j = 0; j < m_; ++j) {
      double ideal = ref[j];
      for (const auto& p : front_) ideal = std::min(ideal, p[j]);
      lo[j] = ideal - (ref[j] - ideal);
      vol *= ref[j] - lo[j];
    }
    std::mt19937_64 rng(seed);
    std::vector<double> z(m_);
    for (size_t s = 0; s < samples; ++s) {
      for (size_t j = 0; j < m_; ++j) z[j] = lo[j] + (ref[j] - lo[j]) * (static_cast<double>(rng() >> 11) * 0x1.0p-53);
      bool dominated = false;
      for (const auto& p : front_) {
        size_t j = 0;
        while (j < m_ && p[j] <= z[j]) ++j;
        if (j == m_) {
          dominated = true;
          break;
        }
      }
      if (!dominated) mc_points_.insert(mc_points_.end(), z.begin(), z.end());
    }
    mc_weight_ = samples ? vol / static_cast<double>(samples) : 0.0;
    return;
  }
  // Enumerate the cells (mixed radix over the axes) and each cell's upper limit on the last objective.
  const size_t n_cells = static_cast<size_t>(total);
  cells_.resize(n_cells * axes);
  upper_.resize(n_cells);
  std::vector<uint32_t> k(axes, 0);
  std::vector<double> a(axes);
  for (size_t c = 0; c < n_cells; ++c) {
    for (size_t j = 0; j < axes; ++j) {
      cells_[c * axes + j] = k[j];
      a[j] = k[j] == 0 ? -std::numeric_limits<double>::infinity() : cuts_[j][k[j] - 1];
    }
    double u = ref[m_ - 1];
    for (const auto& p : front_) {
      size_t j = 0;
      while (j < axes && p[j] <= a[j]) ++j;
      if (j == axes) u = std::min(u, p[m_ - 1]);
    }
    upper_[c] = u;
    for (size_t j = axes; j-- > 0;) {
      if (++k[j] < cuts_[j].size()) break;
      k[j] = 0;
    }
  }
  upper_values_ = upper_;
  std::sort(upper_values_.begin(), upper_values_.end());
  upper_values_.erase(std::unique(upper_values_.begin(), upper_values_.end()), upper_values_.end());
  offsets_.resize(axes);
  psi_size_ = 0;
  for (size_t j = 0; j < axes; ++j) {
    offsets_[j] = psi_size_;
    psi_size_ += cuts_[j].size();
  }
  psi_size_ += upper_values_.size();
  upper_index_.resize(n_cells);
  for (size_t c = 0; c < n_cells; ++c)
    upper_index_[c] = static_cast<uint32_t>(std::lower_bound(upper_values_.begin(), upper_values_.end(), upper_[c]) - upper_values_.begin());
}

double HypervolumeImprovement::improvement(const double* y) const {
  for (size_t j = 0; j < m_; ++j)
    if (!(y[j] < ref_[j])) return 0;
  if (!exact_) {
    std::vector<std::vector<double>> with = front_;
    const double before = hypervolume(front_, ref_);
    with.emplace_back(y, y + m_);
    return hypervolume(with, ref_) - before;
  }
  const size_t axes = m_ - 1;
  double sum = 0;
  for (size_t c = 0; c < upper_.size(); ++c) {
    double v = std::max(0.0, upper_[c] - y[m_ - 1]);
    for (size_t j = 0; j < axes && v > 0; ++j) {
      const uint32_t k = cells_[c * axes + j];
      const double lo = k == 0 ? y[j] : std::max(cuts_[j][k - 1], y[j]);
      v *= std::max(0.0, cuts_[j][k] - lo);
    }
    sum += v;
  }
  return sum;
}

double HypervolumeImprovement::expected(const double* mean, const double* sd) const {
  if (!exact_) {
    double sum = 0;
    const size_t n = mc_points_.size() / m_;
    for (size_t s = 0; s < n; ++s) {
      const double* z = &mc_points_[s * m_];
      double p = 1;
      for (size_t j = 0; j < m_ && p > 0; ++j)
        p *= sd[j] > 1e-300 ? normal_cdf((z[j] - mean[j]) / sd[j]) : (mean[j] <= z[j] ? 1.0 : 0.0);
      sum += p;
    }
    return sum * mc_weight_;
  }
  const size_t axes = m_ - 1;
  // psi_ holds, per axis, the term of each interval (ψ(b) - ψ(a)), then ψ_m at each distinct u.
  psi_.resize(psi_size_);
  size_t o = 0;
  for (size_t j = 0; j < axes; ++j) {
    double prev = 0;  // ψ(-inf) = 0
    for (double c : cuts_[j]) {
      const double cur = psi(c, mean[j], sd[j]);
      psi_[o++] = std::max(0.0, cur - prev);
      prev = cur;
    }
  }
  const size_t last = o;
  for (double u : upper_values_) psi_[o++] = psi(u, mean[m_ - 1], sd[m_ - 1]);
  double sum = 0;
  for (size_t c = 0; c < upper_index_.size(); ++c) {
    double v = psi_[last + upper_index_[c]];
    for (size_t j = 0; j < axes; ++j) v *= psi_[offsets_[j] + cells_[c * axes + j]];
    sum += v;
  }
  return sum;
}

}  // namespace coda::dse
