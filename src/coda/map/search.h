// Searches over a Mapspace, ask/tell: next() proposes a MappingId, report() says how it fared.
// A search covers a slice of work (a range of factorizations, or of random draws) so that a mapper
// can split the work into units whose results do not depend on which thread runs them.
//
//   ExhaustiveSearch s(space, first, last);       // factorizations [first, last)
//   MappingId id;
//   while (s.next(id)) {
//     space.fill(id, m);
//     bool ok = ev.evaluate(m, cost);
//     s.report(cost.status, ok ? &cost : nullptr);
//   }
#pragma once
#include <cstdint>

#include "coda/map/cost.h"
#include "coda/map/mapspace.h"
#include "coda/map/objective.h"

namespace coda::map {

class Search {
 public:
  virtual ~Search() = default;
  // The next candidate; false when the slice is exhausted.
  virtual bool next(MappingId& id) = 0;
  // The outcome of the last candidate, with its cost if it fits. A search may use it to skip
  // candidates that must fail the same way (capacity does not depend on loop order or spatial
  // axes), or to steer towards better ones.
  virtual void report(const EvalStatus& status, const Cost* cost) = 0;
};

// Every mapping whose factorization has a linear index in [first, last): the factorization
// index runs over the dimensions as a mixed-radix number (dimension 0 fastest), then bypass
// choices, spatial axes and loop orders.
class ExhaustiveSearch final : public Search {
 public:
  ExhaustiveSearch(const Mapspace& space, uint64_t first, uint64_t last);
  bool next(MappingId& id) override;
  void report(const EvalStatus& status, const Cost* cost) override;

 private:
  enum class Stage { factors, bypass, axes, order };
  bool start_factor(uint64_t f);
  bool advance(Stage from);
  void prepare_orders();

  const Mapspace& space_;
  uint64_t factor_ = 0, last_ = 0;
  MappingId id_;
  Mapping m_;
  uint64_t bypass_end_ = 1, axes_end_ = 1;
  uint64_t radix_[kMaxLevels] = {};
  bool started_ = false, done_ = false;
  Stage skip_ = Stage::order;  // where the last report says to advance
};

// `count` random draws numbered [first, first + count): draw i depends only on (seed, i).
class RandomSearch final : public Search {
 public:
  RandomSearch(const Mapspace& space, uint64_t seed, uint64_t first, uint64_t count);
  bool next(MappingId& id) override;
  void report(const EvalStatus&, const Cost*) override {}

 private:
  const Mapspace& space_;
  uint64_t seed_, next_, end_;
  Mapping m_;
};

// Hill climbing from a starting mapping: each step changes one choice (one dimension's
// factorization, one keep/bypass bit, one spatial axis or one level's loop order) at random and
// keeps the change unless the cost gets worse for the objective. Deterministic for a seed.
class LocalSearch final : public Search {
 public:
  LocalSearch(const Mapspace& space, Objective objective, const MappingId& start, const Cost& start_cost,
              uint64_t seed, uint64_t steps);
  bool next(MappingId& id) override;
  void report(const EvalStatus& status, const Cost* cost) override;
  const MappingId& best() const { return best_; }
  const Cost& best_cost() const { return best_cost_; }

 private:
  const Mapspace& space_;
  Objective objective_;
  MappingId best_, trial_;
  Cost best_cost_;
  uint64_t state_, steps_left_;
  Mapping m_;
};

// Decodes a linear factorization index into per-dimension indices (dimension 0 fastest).
void decode_factors(const Mapspace& space, uint64_t index, MappingId& id);

}  // namespace coda::map
