// map::Mapspace: every mapping the constraints admit, as four independent choices that a search
// names with a MappingId and the mapspace turns into a Mapping (Timeloop's mapspace, separate from
// the search):
//   factors - per dimension, one of its factorizations over the levels' temporal and spatial slots;
//   bypass  - the keep/bypass bits the constraints leave free;
//   axes    - X or Y for spatial loops on levels that fan out along both;
//   order   - per level, the order of its loops with factor > 1 that the constraints leave free.
// Orders that cannot change the cost are not enumerated: loops with factor 1, and the loops of
// levels below which nothing is kept (level 0's loops never are).
//
//   Mapspace space(problem, arch, constraints);     // InvalidError if a constraint admits nothing
//   Mapping m = space.make_default();
//   MappingId id;                                    // from a search
//   space.fill(id, m);                               // no allocation
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "coda/map/constraints.h"
#include "coda/map/mapping.h"

namespace coda::map {

inline constexpr int kMaxDims = 16;
inline constexpr int kMaxLevels = 16;

struct MappingId {
  std::array<uint32_t, kMaxDims> factors{};   // per dimension: index into its factorizations
  uint64_t bypass = 0;                        // bit b: free keep choice b keeps
  uint64_t axes = 0;                          // bit b: free spatial loop b runs along Y
  std::array<uint64_t, kMaxLevels> order{};   // per level: rank of its free loop order
};

class Mapspace {
 public:
  Mapspace(const workload::Problem& p, const hw::Architecture& a, const Constraints& c);

  int dims() const { return dims_; }
  int levels() const { return levels_; }
  // Factorizations of dimension d that satisfy the constraints.
  uint32_t factor_count(int d) const { return counts_[static_cast<size_t>(d)]; }
  // Product of the factor counts (as a double: it can exceed 2^64).
  double factor_space() const;
  int bypass_bits() const { return static_cast<int>(free_keep_.size()); }

  // Each fill_* step assumes the steps before it; fill() runs them all.
  void fill_factors(const MappingId& id, Mapping& m) const;
  void fill_bypass(const MappingId& id, Mapping& m) const;
  int axis_bits(const Mapping& m) const;                 // after fill_factors
  void fill_axes(const MappingId& id, Mapping& m) const;
  uint64_t order_count(const Mapping& m, int level) const;  // after fill_bypass: k! for k free loops
  // Upper bounds over all factorizations: loop orders of a level, and free axis bits.
  double max_order_count(int level) const;
  int max_axis_bits() const;
  void fill_order(const MappingId& id, Mapping& m) const;
  void fill(const MappingId& id, Mapping& m) const;

  // A mapping sized for this problem and architecture (all factors 1, identity orders).
  Mapping make_default() const;
  // A safe starting point: per dimension the factorization with the most iterations at the
  // backing store, every free data space bypassed, default axes and orders.
  MappingId streaming_id() const;
  // A factorization of dimension d next to `choice`: one prime factor moved from one slot to
  // another, picked with `random`; `choice` itself if the constraints admit no such move.
  uint32_t neighbour_factors(int d, uint32_t choice, uint64_t random) const;

 private:
  struct FreeKeep {
    int level, space;
  };
  int dims_, spaces_, levels_;
  std::vector<uint32_t> counts_;
  std::vector<std::vector<int64_t>> table_;  // [dim][choice * 2 * levels + slot]; slot 2i temporal, 2i+1 spatial
  std::vector<std::vector<std::pair<uint64_t, uint32_t>>> lookup_;  // [dim]: (hash of a choice, choice), sorted
  std::vector<FreeKeep> free_keep_;
  std::vector<uint32_t> forced_keep_;        // per level
  std::vector<std::vector<int>> prefix_;     // per level: constrained innermost loop order
  std::vector<std::vector<int8_t>> axis_;    // per level, per dim: -1 free, 0 X, 1 Y
  std::vector<int64_t> fan_x_, fan_y_;
};

}  // namespace coda::map
