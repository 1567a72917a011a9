// LocalSearch (declared in search.h).
#include <algorithm>

#include "coda/map/search.h"
#include "coda/core/random.h"

namespace coda::map {

LocalSearch::LocalSearch(const Mapspace& space, Objective objective, const MappingId& start, const Cost& start_cost,
                         uint64_t seed, uint64_t steps)
    : space_(space),
      objective_(objective),
      best_(start),
      trial_(start),
      best_cost_(start_cost),
      state_(splitmix64(seed)),
      steps_left_(steps),
      m_(space.make_default()) {}

bool LocalSearch::next(MappingId& id) {
  if (steps_left_ == 0) return false;
  --steps_left_;
  auto draw = [&]() { return state_ = splitmix64(state_); };
  trial_ = best_;
  int dims_free = 0;
  for (int d = 0; d < space_.dims(); ++d) dims_free += space_.factor_count(d) > 1;
  switch (draw() % 6) {
    case 0:
    case 1:
    case 2:  // another factorization of one dimension
      if (dims_free) {
        int pick = static_cast<int>(draw() % static_cast<uint64_t>(dims_free));
        for (int d = 0; d < space_.dims(); ++d)
          if (space_.factor_count(d) > 1 && pick-- == 0) {
            uint32_t& f = trial_.factors[static_cast<size_t>(d)];
            uint32_t n = space_.factor_count(d);
            // Mostly a small step (a prime factor moves to another level), sometimes a jump.
            f = draw() % 4 ? space_.neighbour_factors(d, f, draw()) : (f + 1 + static_cast<uint32_t>(draw() % (n - 1))) % n;
            break;
          }
      }
      break;
    case 3:  // one keep/bypass choice
      if (space_.bypass_bits()) trial_.bypass ^= uint64_t{1} << (draw() % static_cast<uint64_t>(space_.bypass_bits()));
      break;
    case 4:  // one spatial axis (resolved below, once the factors are known)
      trial_.axes ^= uint64_t{1} << (draw() % 64);
      break;
    default:  // one level's loop order
      trial_.order[static_cast<size_t>(draw() % static_cast<uint64_t>(space_.levels()))] = draw();
      break;
  }
  // Bring the other choices into range for the (possibly new) factors and bypass bits.
  space_.fill_factors(trial_, m_);
  space_.fill_bypass(trial_, m_);
  int a = space_.axis_bits(m_);
  trial_.axes &= a >= 64 ? ~uint64_t{0} : (uint64_t{1} << a) - 1;
  for (int i = 0; i < space_.levels(); ++i) trial_.order[static_cast<size_t>(i)] %= std::max<uint64_t>(1, space_.order_count(m_, i));
  id = trial_;
  return true;
}

void LocalSearch::report(const EvalStatus&, const Cost* cost) {
  // Moves that are not worse are taken too, so the climb can cross plateaus.
  if (cost && !better(best_cost_, *cost, objective_)) {
    best_ = trial_;
    best_cost_ = *cost;
  }
}

}  // namespace coda::map
