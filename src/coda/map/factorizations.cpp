#include "coda/map/factorizations.h"

#include "coda/core/error.h"

namespace coda::map::detail {

namespace {

struct Gen {
  const std::vector<SlotBounds>& slots;
  const std::vector<int64_t>& divisors;
  int residual = -1;
  std::vector<int64_t> cur;
  std::vector<int64_t>& out;
  size_t limit;

  bool admits(const SlotBounds& b, int64_t f) const {
    if (b.exact > 0) return f == b.exact;
    return f >= b.min && (b.max == 0 || f <= b.max);
  }

  void run(size_t slot, int64_t remaining) {
    if (slot == slots.size()) {
      if (residual >= 0) {
        if (!admits(SlotBounds{-1, slots[static_cast<size_t>(residual)].min, slots[static_cast<size_t>(residual)].max}, remaining)) return;
        cur[static_cast<size_t>(residual)] = remaining;
      } else if (remaining != 1) {
        return;
      }
      if (out.size() + cur.size() > limit)
        throw UnsupportedError("mapspace", "too many factorizations of one dimension; constrain the mapping further");
      out.insert(out.end(), cur.begin(), cur.end());
      return;
    }
    if (static_cast<int>(slot) == residual) return run(slot + 1, remaining);
    const SlotBounds& b = slots[slot];
    for (int64_t f : divisors) {
      if (f > remaining) break;
      if (remaining % f != 0 || !admits(b, f)) continue;
      cur[slot] = f;
      run(slot + 1, remaining / f);
    }
  }
};

}  // namespace

std::vector<int64_t> factorizations(int64_t bound, const std::vector<SlotBounds>& slots, size_t limit_values) {
  std::vector<int64_t> divisors;
  for (int64_t f = 1; f * f <= bound; ++f)
    if (bound % f == 0) divisors.push_back(f);
  for (size_t k = divisors.size(); k-- > 0;)
    if (divisors[k] * divisors[k] != bound) divisors.push_back(bound / divisors[k]);
  std::vector<int64_t> out;
  Gen g{slots, divisors, -1, std::vector<int64_t>(slots.size(), 1), out, limit_values};
  for (size_t s = 0; s < slots.size(); ++s)
    if (slots[s].exact == 0) {
      if (g.residual >= 0) return {};  // two slots cannot both take the remainder
      g.residual = static_cast<int>(s);
    }
  g.run(0, bound);
  return out;
}

}  // namespace coda::map::detail
