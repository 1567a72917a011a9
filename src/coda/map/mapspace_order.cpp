// Mapspace: loop orders (declared in mapspace.h).
#include <algorithm>

#include "coda/map/mapspace.h"

namespace coda::map {

namespace {

uint64_t factorial(int k) {
  uint64_t f = 1;
  for (int i = 2; i <= k; ++i) f *= static_cast<uint64_t>(i);
  return f;
}

bool in_prefix(const std::vector<int>& prefix, int d) { return std::find(prefix.begin(), prefix.end(), d) != prefix.end(); }

}  // namespace

uint64_t Mapspace::order_count(const Mapping& m, int level) const {
  // A level's loop order only matters through the tiles kept below it.
  bool kept_below = false;
  for (int j = 0; j < level; ++j) kept_below |= m.levels[static_cast<size_t>(j)].keep != 0;
  if (!kept_below) return 1;
  const LevelMapping& l = m.levels[static_cast<size_t>(level)];
  int k = 0;
  for (int d = 0; d < dims_; ++d)
    k += l.temporal[static_cast<size_t>(d)] > 1 && !in_prefix(prefix_[static_cast<size_t>(level)], d);
  return factorial(k);
}

double Mapspace::max_order_count(int level) const {
  if (level == 0) return 1;
  size_t slots = 2 * static_cast<size_t>(levels_);
  int k = 0;
  for (int d = 0; d < dims_; ++d) {
    if (in_prefix(prefix_[static_cast<size_t>(level)], d)) continue;
    const std::vector<int64_t>& t = table_[static_cast<size_t>(d)];
    for (uint32_t c = 0; c < counts_[static_cast<size_t>(d)]; ++c)
      if (t[c * slots + 2 * static_cast<size_t>(level)] > 1) {
        ++k;
        break;
      }
  }
  return static_cast<double>(factorial(k));
}

int Mapspace::max_axis_bits() const {
  size_t slots = 2 * static_cast<size_t>(levels_);
  int n = 0;
  for (int i = 0; i < levels_; ++i) {
    if (fan_x_[static_cast<size_t>(i)] == 1 || fan_y_[static_cast<size_t>(i)] == 1) continue;
    for (int d = 0; d < dims_; ++d) {
      if (axis_[static_cast<size_t>(i)][static_cast<size_t>(d)] >= 0) continue;
      const std::vector<int64_t>& t = table_[static_cast<size_t>(d)];
      for (uint32_t c = 0; c < counts_[static_cast<size_t>(d)]; ++c)
        if (t[c * slots + 2 * static_cast<size_t>(i) + 1] > 1) {
          ++n;
          break;
        }
    }
  }
  return n;
}

void Mapspace::fill_order(const MappingId& id, Mapping& m) const {
  for (int i = 0; i < levels_; ++i) {
    LevelMapping& l = m.levels[static_cast<size_t>(i)];
    const std::vector<int>& prefix = prefix_[static_cast<size_t>(i)];
    size_t n = 0;
    for (int d : prefix) l.permutation[n++] = d;
    // The free loops that iterate, in the order ranked id.order[i] (a Lehmer code), then the rest.
    int free[kMaxDims], k = 0;
    for (int d = 0; d < dims_; ++d)
      if (l.temporal[static_cast<size_t>(d)] > 1 && !in_prefix(prefix, d)) free[k++] = d;
    uint64_t rank = order_count(m, i) > 1 ? id.order[static_cast<size_t>(i)] : 0;
    for (int j = 0; j < k; ++j) {
      uint64_t f = factorial(k - 1 - j);
      int pick = static_cast<int>(rank / f);
      rank %= f;
      l.permutation[n++] = free[pick];
      std::copy(free + pick + 1, free + k - j, free + pick);
    }
    for (int d = 0; d < dims_; ++d)
      if (l.temporal[static_cast<size_t>(d)] <= 1 && !in_prefix(prefix, d)) l.permutation[n++] = d;
  }
}

void Mapspace::fill(const MappingId& id, Mapping& m) const {
  fill_factors(id, m);
  fill_bypass(id, m);
  fill_axes(id, m);
  fill_order(id, m);
}

}  // namespace coda::map
