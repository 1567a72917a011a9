// ExhaustiveSearch and decode_factors (declared in search.h).
#include "coda/map/search.h"

namespace coda::map {

void decode_factors(const Mapspace& space, uint64_t index, MappingId& id) {
  for (int d = 0; d < space.dims(); ++d) {
    uint64_t n = space.factor_count(d);
    id.factors[static_cast<size_t>(d)] = static_cast<uint32_t>(index % n);
    index /= n;
  }
}

ExhaustiveSearch::ExhaustiveSearch(const Mapspace& space, uint64_t first, uint64_t last)
    : space_(space), factor_(first), last_(last), m_(space.make_default()), done_(first >= last) {}

void ExhaustiveSearch::prepare_orders() {
  for (int i = 0; i < space_.levels(); ++i) {
    radix_[i] = space_.order_count(m_, i);
    id_.order[static_cast<size_t>(i)] = 0;
  }
}

bool ExhaustiveSearch::start_factor(uint64_t f) {
  factor_ = f;
  if (factor_ >= last_) return false;
  decode_factors(space_, factor_, id_);
  space_.fill_factors(id_, m_);
  id_.bypass = 0;
  bypass_end_ = uint64_t{1} << space_.bypass_bits();
  space_.fill_bypass(id_, m_);
  id_.axes = 0;
  axes_end_ = uint64_t{1} << space_.axis_bits(m_);
  prepare_orders();
  return true;
}

bool ExhaustiveSearch::advance(Stage from) {
  if (from == Stage::order) {
    for (int i = 0; i < space_.levels(); ++i) {
      if (++id_.order[static_cast<size_t>(i)] < radix_[i]) return true;
      id_.order[static_cast<size_t>(i)] = 0;
    }
    from = Stage::axes;
  }
  if (from == Stage::axes) {
    if (++id_.axes < axes_end_) {
      for (int i = 0; i < space_.levels(); ++i) id_.order[static_cast<size_t>(i)] = 0;
      return true;
    }
    from = Stage::bypass;
  }
  if (from == Stage::bypass) {
    if (++id_.bypass < bypass_end_) {
      space_.fill_bypass(id_, m_);
      id_.axes = 0;
      prepare_orders();
      return true;
    }
  }
  return start_factor(factor_ + 1);
}

bool ExhaustiveSearch::next(MappingId& id) {
  if (done_) return false;
  bool ok = started_ ? advance(skip_) : start_factor(factor_);
  started_ = true;
  skip_ = Stage::order;
  if (!ok) {
    done_ = true;
    return false;
  }
  id = id_;
  return true;
}

void ExhaustiveSearch::report(const EvalStatus& status, const Cost*) {
  // Capacity depends only on factors and bypass; fan-out only on factors and axes.
  if (status.fail == Fail::capacity) skip_ = Stage::bypass;
  else if (status.fail != Fail::none) skip_ = Stage::axes;
  else skip_ = Stage::order;
}

}  // namespace coda::map
