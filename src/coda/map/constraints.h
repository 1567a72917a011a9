// map::Constraints: what the mapper may choose, per storage level. Comes from the architecture
// (StorageLevel::holds) and from Timeloop's constraint files: `architecture_constraints` (what the
// hardware can do) and `mapspace_constraints` (what the user wants searched), both lists of
// directives {target, type: temporal|spatial|bypass, factors, permutation, split, keep, bypass}.
//
// Factors: K=16 fixes a factor, K=0 gives the level whatever the other levels leave of K, K<=16 and
// K>=2 bound it. A permutation fixes the order of the dimensions it lists, innermost first; the
// others go outside them in any order. A spatial split puts the first `split` listed dimensions on
// X and the rest on Y. keep/bypass fix a level's choice for those data spaces.
//
//   Constraints c = from_architecture(problem, arch);
//   add_timeloop_constraints(c, text, problem, arch, "constraints.yaml");
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "coda/hw/architecture.h"
#include "coda/workload/problem.h"

namespace coda::map {

struct FactorBounds {
  int64_t exact = -1;   // -1: free; 0: the residual of the dimension; > 0: this factor
  int64_t min = 1;
  int64_t max = 0;      // 0: no upper bound
  bool operator==(const FactorBounds&) const = default;
};

struct LevelConstraints {
  std::vector<FactorBounds> temporal, spatial;  // per dimension
  std::vector<int> permutation;   // temporal: these dimensions innermost, in this order
  std::vector<int8_t> axis;       // spatial, per dimension: -1 free, 0 X, 1 Y
  uint32_t keep = 0, bypass = 0;  // data spaces whose keep/bypass choice is fixed
  bool operator==(const LevelConstraints&) const = default;
};

struct Constraints {
  std::vector<LevelConstraints> levels;  // innermost first, one per storage level
  bool operator==(const Constraints&) const = default;
};

// No constraint except what the architecture says: StorageLevel::holds, and the backing store
// keeping every data space.
Constraints from_architecture(const workload::Problem& p, const hw::Architecture& a);

// Adds the directives of a Timeloop constraints file (any of the keys architecture_constraints,
// arch_constraints, mapspace_constraints, mapspace, constraints; each a list or {targets: list}).
// Throws ParseError on a malformed file and InvalidError on a directive that contradicts an
// earlier one or the architecture (naming the level and the dimension or data space).
void add_timeloop_constraints(Constraints& c, const std::string& yaml_text, const workload::Problem& p,
                              const hw::Architecture& a, const std::string& where);

}  // namespace coda::map
