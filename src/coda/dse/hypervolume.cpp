// Exact hypervolume: a sweep in 1-D and 2-D, WFG with slicing on the last objective above.
//
// WFG (While, Bradstreet, Barone 2012): with the points sorted by the last objective, worst first,
//   HV(p_1..p_n) = sum_k exclusive volume of p_k with respect to p_{k+1..n}
//                = sum_k (ref_d - p_k[d]) * (HV_{d-1}({p_k}) - HV_{d-1}(nds(limit set of k)))
// where the limit set is {max(p_k, p_j) : j > k} projected on the first d-1 objectives (every member
// has last objective p_k[d], so the slab factors out) and nds keeps its non-dominated members.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "coda/core/error.h"
#include "coda/dse/pareto.h"

namespace coda::dse {
namespace {

class Wfg {
 public:
  Wfg(const std::vector<double>& ref) : ref_(ref), levels_(ref.size() + 1) {}

  // The level-d input buffer: n points of d coordinates, row-major.
  std::vector<double>& input(size_t d) { return levels_[d].in; }

  double run(size_t n, size_t d) {
    if (n == 0) return 0;
    Level& L = levels_[d];
    const double* in = L.in.data();
    if (d == 1) {
      double lo = in[0];
      for (size_t i = 1; i < n; ++i) lo = std::min(lo, in[i]);
      return ref_[0] - lo;
    }
    // Sort rows: by x ascending for the 2-D sweep, by the last objective descending above.
    L.idx.resize(n);
    std::iota(L.idx.begin(), L.idx.end(), 0);
    if (d == 2) {
      std::sort(L.idx.begin(), L.idx.end(), [&](size_t a, size_t b) {
        return in[a * 2] < in[b * 2] || (in[a * 2] == in[b * 2] && in[a * 2 + 1] < in[b * 2 + 1]);
      });
      double vol = 0, ymin = ref_[1];
      for (size_t i : L.idx) {
        double x = in[i * 2], y = in[i * 2 + 1];
        if (y < ymin) {
          vol += (ref_[0] - x) * (ymin - y);
          ymin = y;
        }
      }
      return vol;
    }
    std::stable_sort(L.idx.begin(), L.idx.end(), [&](size_t a, size_t b) { return in[a * d + d - 1] > in[b * d + d - 1]; });
    L.sorted.resize(n * d);
    for (size_t r = 0; r < n; ++r) std::copy_n(in + L.idx[r] * d, d, L.sorted.begin() + r * d);
    const double* s = L.sorted.data();
    const size_t e = d - 1;  // dimensions of the limit sets
    double vol = 0;
    for (size_t k = 0; k < n; ++k) {
      const double* pk = s + k * d;
      double incl = 1;
      for (size_t j = 0; j < e; ++j) incl *= ref_[j] - pk[j];
      double excl = incl;
      if (k + 1 < n) {
        size_t m = build_limit_set(s, n, d, k);
        excl -= run(m, e);
      }
      vol += (ref_[e] - pk[e]) * excl;
    }
    return vol;
  }

 private:
  struct Level {
    std::vector<double> in, raw, sorted;
    std::vector<size_t> idx, kept;
  };

  // Writes nds({max(p_k, p_j)[0..d-1) : j > k}) into levels_[d-1].in; returns its size.
  size_t build_limit_set(const double* s, size_t n, size_t d, size_t k) {
    const size_t e = d - 1;
    Level& N = levels_[e];
    const double* pk = s + k * d;
    const size_t m = n - k - 1;
    N.raw.resize(m * e);
    for (size_t j = 0; j < m; ++j) {
      const double* pj = s + (k + 1 + j) * d;
      for (size_t c = 0; c < e; ++c) N.raw[j * e + c] = std::max(pk[c], pj[c]);
    }
    // Non-dominated filter: in lexicographic order a point can only be weakly dominated by an earlier
    // kept one.
    const double* raw = N.raw.data();
    N.idx.resize(m);
    std::iota(N.idx.begin(), N.idx.end(), 0);
    std::sort(N.idx.begin(), N.idx.end(), [&](size_t a, size_t b) {
      return std::lexicographical_compare(raw + a * e, raw + a * e + e, raw + b * e, raw + b * e + e);
    });
    N.kept.clear();
    for (size_t i : N.idx) {
      const double* q = raw + i * e;
      bool dominated = false;
      for (size_t f : N.kept) {
        const double* p = raw + f * e;
        size_t c = 0;
        while (c < e && p[c] <= q[c]) ++c;
        if (c == e) {
          dominated = true;
          break;
        }
      }
      if (!dominated) N.kept.push_back(i);
    }
    N.in.resize(N.kept.size() * e);
    for (size_t r = 0; r < N.kept.size(); ++r) std::copy_n(raw + N.kept[r] * e, e, N.in.begin() + r * e);
    return N.kept.size();
  }

  const std::vector<double>& ref_;
  std::vector<Level> levels_;
};

}  // namespace

double hypervolume(const std::vector<std::vector<double>>& minimized, const std::vector<double>& ref) {
  const size_t d = ref.size();
  if (d == 0) throw InvalidError("hypervolume", "empty reference point");
  for (double r : ref)
    if (!std::isfinite(r)) throw InvalidError("hypervolume", "reference point is not finite");
  // Keep the points strictly inside the reference box, then their non-dominated subset.
  std::vector<std::vector<double>> inside;
  for (size_t i = 0; i < minimized.size(); ++i) {
    const auto& p = minimized[i];
    if (p.size() != d) throw InvalidError("hypervolume", format("point %zu has %zu objectives, expected %zu", i, p.size(), d));
    bool ok = true;
    for (size_t j = 0; j < d && ok; ++j) ok = p[j] < ref[j];  // false for NaN
    if (ok) inside.push_back(p);
  }
  if (inside.empty()) return 0;
  std::vector<Sense> senses(d, Sense::Minimize);
  std::vector<size_t> front = pareto_front(inside, senses);
  Wfg wfg(ref);
  auto& in = wfg.input(d);
  in.clear();
  // Duplicates are all on the front; a repeated point adds nothing, so drop exact copies.
  std::vector<std::vector<double>> uniq;
  for (size_t f : front) uniq.push_back(inside[f]);
  std::sort(uniq.begin(), uniq.end());
  uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
  for (const auto& p : uniq) in.insert(in.end(), p.begin(), p.end());
  return wfg.run(uniq.size(), d);
}

}  // namespace coda::dse
