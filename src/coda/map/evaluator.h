// The analytical cost model: map::evaluate(problem, arch, mapping) -> Cost, and the reusable
// Evaluator behind it for search loops (one per thread; evaluating into a prepared Cost does not
// allocate). docs/cost_model.md gives the model: tiles per level, temporal reuse from loop order,
// spatial multicast and reduction, fills/reads/updates, energy per vector access, and cycles as the
// maximum of the compute cycles and every level's bandwidth-bound cycles.
//
//   Cost c = map::evaluate(problem, arch, mapping);       // checks the mapping first
//
//   map::Evaluator ev(problem, arch);                    // in a mapper thread
//   Cost scratch;
//   ev.prepare(scratch);
//   if (ev.fits(candidate, scratch.status) && ev.evaluate(candidate, scratch)) use(scratch);
#pragma once
#include <vector>

#include "coda/map/cost.h"
#include "coda/map/mapping.h"
#include "coda/map/reuse.h"

namespace coda::map {

class Evaluator {
 public:
  Evaluator(const workload::Problem& p, const hw::Architecture& a);

  // Sizes `c` for this problem and architecture.
  void prepare(Cost& c) const;
  // The cheap checks alone: spatial fan-out and tile capacity per level. The mapping must have
  // passed check() (the mapper's candidates do by construction).
  bool fits(const Mapping& m, EvalStatus& status);
  // Full evaluation into a prepared cost; returns c.status.ok(). On a failed check the counts in
  // `c` are left as they were.
  bool evaluate(const Mapping& m, Cost& c);
  // The rest of evaluate() for the mapping that fits() just accepted.
  void complete(const Mapping& m, Cost& c);

  const workload::Problem& problem() const { return *problem_; }
  const hw::Architecture& arch() const { return *arch_; }

 private:
  void count_accesses(const Mapping& m, Cost& c);
  void price(Cost& c) const;

  const workload::Problem* problem_;
  const hw::Architecture* arch_;
  int dims_ = 0, spaces_ = 0, levels_ = 0;
  std::vector<detail::Projection> proj_;
  std::vector<int64_t> fan_x_, fan_y_, fan_hw_, capacity_;
  // Network scratch per level: deliveries, delivery x hops, delivery x hops x word bits.
  std::vector<double> net_words_, net_hops_, net_bit_hops_;
  // Scratch, [level * dims_ + dim] or [level * spaces_ + space].
  std::vector<int64_t> tile_, below_, outer_, tile_words_, spatial_total_, dims_buf_;
  std::vector<detail::TemporalLoop> loops_;
  detail::ReuseScratch reuse_;
  int64_t iterations_ = 1;  // temporal iterations of the whole nest
};

// Checks the mapping (throws InvalidError naming the level) and evaluates it.
Cost evaluate(const workload::Problem& p, const hw::Architecture& a, const Mapping& m);

}  // namespace coda::map
