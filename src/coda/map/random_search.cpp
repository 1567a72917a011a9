// RandomSearch (declared in search.h).
#include "coda/map/search.h"
#include "coda/core/random.h"

namespace coda::map {

RandomSearch::RandomSearch(const Mapspace& space, uint64_t seed, uint64_t first, uint64_t count)
    : space_(space), seed_(seed), next_(first), end_(first + count), m_(space.make_default()) {}

bool RandomSearch::next(MappingId& id) {
  if (next_ >= end_) return false;
  uint64_t state = splitmix64(seed_ ^ splitmix64(next_++));
  auto draw = [&]() { return state = splitmix64(state); };
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
