// Pareto front, non-dominated ranks, crowding distance, ideal-point choice.
#include "coda/dse/pareto.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "coda/core/error.h"

namespace coda::dse {
namespace {

bool has_nan(const std::vector<double>& p) {
  for (double v : p)
    if (std::isnan(v)) return true;
  return false;
}

void check_dims(const std::vector<std::vector<double>>& points, size_t m, const char* what) {
  for (size_t i = 0; i < points.size(); ++i)
    if (points[i].size() != m)
      throw InvalidError(what, format("point %zu has %zu objectives, expected %zu", i, points[i].size(), m));
}

// Constraint domination of a over b (see nondominated_ranks).
bool constrained_dominates(const std::vector<double>& a, const std::vector<double>& b, double va, double vb) {
  if (va <= 0 && vb > 0) return true;
  if (va > 0 && vb <= 0) return false;
  if (va > 0 && vb > 0) return va < vb;
  return dominates(a, b);
}

}  // namespace

bool dominates(const std::vector<double>& a, const std::vector<double>& b) {
  bool better = false;
  for (size_t j = 0; j < a.size(); ++j) {
    if (!(a[j] <= b[j])) return false;  // also false for NaN
    if (a[j] < b[j]) better = true;
  }
  return better;
}

std::vector<size_t> pareto_front(const std::vector<std::vector<double>>& points, const std::vector<Sense>& senses) {
  const size_t m = senses.size();
  check_dims(points, m, "pareto_front");
  // Minimized copies; NaN points left out.
  std::vector<std::vector<double>> mins;
  std::vector<size_t> idx;
  mins.reserve(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    if (has_nan(points[i])) continue;
    std::vector<double> p(m);
    for (size_t j = 0; j < m; ++j) p[j] = senses[j] == Sense::Maximize ? -points[i][j] : points[i][j];
    mins.push_back(std::move(p));
    idx.push_back(i);
  }
  // In lexicographic order a point can only be dominated by an earlier one, and then by an earlier
  // non-dominated one: compare each point with the front found so far.
  std::vector<size_t> order(mins.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return mins[a] < mins[b]; });
  std::vector<size_t> front;
  for (size_t o : order) {
    bool dominated = false;
    for (size_t f : front)
      if (dominates(mins[f], mins[o])) {
        dominated = true;
        break;
      }
    if (!dominated) front.push_back(o);
  }
  std::vector<size_t> out;
  out.reserve(front.size());
  for (size_t f : front) out.push_back(idx[f]);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int> nondominated_ranks(const std::vector<std::vector<double>>& minimized, const std::vector<double>* violation) {
  const size_t n = minimized.size();
  std::vector<int> rank(n, -1);
  if (n == 0) return rank;
  check_dims(minimized, minimized[0].size(), "nondominated_ranks");
  if (violation && violation->size() != n)
    throw InvalidError("nondominated_ranks", format("%zu violations for %zu points", violation->size(), n));
  auto viol = [&](size_t i) {
    if (has_nan(minimized[i])) return std::numeric_limits<double>::infinity();  // NaN: ranked last
    if (!violation) return 0.0;
    double x = (*violation)[i];
    return std::isnan(x) ? std::numeric_limits<double>::infinity() : std::max(0.0, x);
  };
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = viol(i);
  // Deb's fast non-dominated sort: dominated-by counts and, per point, the points it dominates.
  std::vector<int> count(n, 0);
  std::vector<std::vector<size_t>> dominated(n);
  for (size_t i = 0; i < n; ++i)
    for (size_t k = i + 1; k < n; ++k) {
      if (constrained_dominates(minimized[i], minimized[k], v[i], v[k])) {
        dominated[i].push_back(k);
        ++count[k];
      } else if (constrained_dominates(minimized[k], minimized[i], v[k], v[i])) {
        dominated[k].push_back(i);
        ++count[i];
      }
    }
  std::vector<size_t> current, next;
  for (size_t i = 0; i < n; ++i)
    if (count[i] == 0) current.push_back(i);
  int r = 0;
  while (!current.empty()) {
    next.clear();
    for (size_t i : current) {
      rank[i] = r;
      for (size_t k : dominated[i])
        if (--count[k] == 0) next.push_back(k);
    }
    std::sort(next.begin(), next.end());
    current.swap(next);
    ++r;
  }
  return rank;
}

std::vector<double> crowding_distance(const std::vector<std::vector<double>>& minimized, const std::vector<size_t>& front) {
  const size_t n = front.size();
  std::vector<double> dist(n, 0.0);
  if (n == 0) return dist;
  const double inf = std::numeric_limits<double>::infinity();
  const size_t m = minimized[front[0]].size();
  std::vector<size_t> order(n);
  for (size_t j = 0; j < m; ++j) {
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return minimized[front[a]][j] < minimized[front[b]][j]; });
    const double lo = minimized[front[order.front()]][j], hi = minimized[front[order.back()]][j];
    dist[order.front()] = inf;
    dist[order.back()] = inf;
    if (!(hi > lo)) continue;
    for (size_t k = 1; k + 1 < n; ++k)
      dist[order[k]] += (minimized[front[order[k + 1]]][j] - minimized[front[order[k - 1]]][j]) / (hi - lo);
  }
  return dist;
}

std::vector<size_t> ideal_point_ranking(const std::vector<std::vector<double>>& points, const std::vector<Sense>& senses) {
  const size_t m = senses.size();
  check_dims(points, m, "ideal_point_choice");
  const size_t n = points.size();
  std::vector<double> lo(m, std::numeric_limits<double>::infinity()), hi(m, -std::numeric_limits<double>::infinity());
  for (const auto& p : points)
    for (size_t j = 0; j < m; ++j)
      if (!std::isnan(p[j])) {
        lo[j] = std::min(lo[j], p[j]);
        hi[j] = std::max(hi[j], p[j]);
      }
  std::vector<double> d2(n, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < m; ++j) {
      double x = points[i][j];
      if (std::isnan(x)) {
        d2[i] = std::numeric_limits<double>::infinity();
        break;
      }
      if (!(hi[j] > lo[j])) continue;
      double t = (x - lo[j]) / (hi[j] - lo[j]);
      if (senses[j] == Sense::Maximize) t = 1 - t;
      d2[i] += t * t;
    }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return d2[a] < d2[b]; });
  return order;
}

size_t ideal_point_choice(const std::vector<std::vector<double>>& points, const std::vector<Sense>& senses) {
  if (points.empty()) throw InvalidError("ideal_point_choice", "no points");
  return ideal_point_ranking(points, senses).front();
}

}  // namespace coda::dse
