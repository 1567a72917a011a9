#include "coda/map/mapping.h"

#include <numeric>

#include "coda/core/error.h"

namespace coda::map {

Mapping Mapping::trivial(int num_levels, int num_dims, int num_data_spaces) {
  LevelMapping l;
  l.temporal.assign(static_cast<size_t>(num_dims), 1);
  l.spatial.assign(static_cast<size_t>(num_dims), 1);
  l.spatial_y.assign(static_cast<size_t>(num_dims), 0);
  l.permutation.resize(static_cast<size_t>(num_dims));
  std::iota(l.permutation.begin(), l.permutation.end(), 0);
  l.spatial_permutation = l.permutation;
  l.keep = num_data_spaces >= 32 ? ~0u : (1u << num_data_spaces) - 1;
  Mapping m;
  m.levels.assign(static_cast<size_t>(num_levels), l);
  return m;
}

int64_t coverage(const Mapping& m, int dim) {
  int64_t c = 1;
  for (const LevelMapping& l : m.levels) c *= l.temporal[static_cast<size_t>(dim)] * l.spatial[static_cast<size_t>(dim)];
  return c;
}

namespace {

void check_permutation(const std::vector<int>& perm, size_t dims, const std::string& where, const std::string& what) {
  if (perm.size() != dims) throw InvalidError(where, what + " must list every dimension once");
  std::vector<bool> seen(dims, false);
  for (int d : perm) {
    if (d < 0 || static_cast<size_t>(d) >= dims || seen[static_cast<size_t>(d)])
      throw InvalidError(where, what + " must list every dimension once");
    seen[static_cast<size_t>(d)] = true;
  }
}

}  // namespace

void check(const Mapping& m, const workload::Problem& p, const hw::Architecture& a, const std::string& where) {
  if (m.levels.size() != a.levels.size())
    throw InvalidError(where, format("the mapping has %zu levels, the architecture %zu", m.levels.size(), a.levels.size()));
  if (p.data_spaces.size() > 32 || p.dims.size() > 64)
    throw UnsupportedError(where, "more than 32 data spaces or 64 dimensions");
  size_t dims = p.dims.size();
  for (size_t i = 0; i < m.levels.size(); ++i) {
    const LevelMapping& l = m.levels[i];
    std::string what = "level " + a.levels[i].name;
    if (l.temporal.size() != dims || l.spatial.size() != dims || l.spatial_y.size() != dims)
      throw InvalidError(where, what + ": expected one factor per dimension");
    for (size_t d = 0; d < dims; ++d) {
      if (l.temporal[d] < 1 || l.spatial[d] < 1)
        throw InvalidError(where, what + ": factor of " + p.dims[d] + " must be at least 1");
      if (l.temporal[d] > p.bounds[d] || l.spatial[d] > p.bounds[d])
        throw InvalidError(where, format("%s: a factor of %s exceeds its bound %lld", what.c_str(), p.dims[d].c_str(),
                                         (long long)p.bounds[d]));
    }
    check_permutation(l.permutation, dims, where, what + ": the permutation");
    check_permutation(l.spatial_permutation, dims, where, what + ": the spatial permutation");
  }
  for (size_t d = 0; d < dims; ++d) {
    // Each factor is at most the bound, so the product stays far from overflow unless the levels
    // pile up padding; refuse that before multiplying.
    double approx = 1;
    for (const LevelMapping& l : m.levels) approx *= static_cast<double>(l.temporal[d]) * static_cast<double>(l.spatial[d]);
    if (approx > 1e15) throw InvalidError(where, "dimension " + p.dims[d] + ": its factors multiply past 10^15");
    int64_t c = coverage(m, static_cast<int>(d));
    if (c < p.bounds[d])
      throw InvalidError(where, format("dimension %s: factors multiply to %lld, less than its bound %lld",
                                       p.dims[d].c_str(), (long long)c, (long long)p.bounds[d]));
  }
  const LevelMapping& top = m.levels.back();
  for (size_t s = 0; s < p.data_spaces.size(); ++s)
    if (!top.keeps(static_cast<int>(s)))
      throw InvalidError(where, "level " + a.levels.back().name + ": the backing store must keep every data space, but " +
                                    p.data_spaces[s].name + " bypasses it");
}

}  // namespace coda::map
