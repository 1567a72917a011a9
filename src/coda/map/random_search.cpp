// RandomSearch (declared in search.h).
#include "coda/map/search.h"

namespace coda::map {

namespace {

// splitmix64: a counter-based generator, so draw i needs no state from draws before it.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

RandomSearch::RandomSearch(const Mapspace& space, uint64_t seed, uint64_t first, uint64_t count)
    : space_(space), seed_(seed), next_(first), end_(first + count), m_(space.make_default()) {}

bool RandomSearch::next(MappingId& id) {
  if (next_ >= end_) return false;
  uint64_t state = mix(seed_ ^ mix(next_++));
  auto draw = [&]() { return state = mix(state); };
  for (int d = 0; d < space_.dims(); ++d)
    id.factors[static_cast<size_t>(d)] = static_cast<uint32_t>(draw() % space_.factor_count(d));
  int b = space_.bypass_bits();
  id.bypass = b ? draw() & ((uint64_t{1} << b) - 1) : 0;
  space_.fill_factors(id, m_);
  space_.fill_bypass(id, m_);
  int a = space_.axis_bits(m_);
  id.axes = a ? draw() & ((uint64_t{1} << a) - 1) : 0;
  for (int i = 0; i < space_.levels(); ++i) {
    uint64_t n = space_.order_count(m_, i);
    id.order[static_cast<size_t>(i)] = n > 1 ? draw() % n : 0;
  }
  return true;
}

}  // namespace coda::map
