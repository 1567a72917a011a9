// map::Mapping: how a workload::Problem's loop nest runs on an hw::Architecture, in Timeloop's
// terms. Each storage level (innermost first, as in the architecture) has
//   - a temporal factor per dimension and the order of those loops (innermost first),
//   - a spatial factor per dimension: the fan-out from this level to the level below (or to the
//     MACs for level 0), each spatial loop on the X or Y axis of the mesh,
//   - a keep mask: the data spaces this level holds; the others bypass it.
// The product of a dimension's factors over all levels covers its bound (a larger product pads the
// problem: an imperfect factorization is evaluated as the padded nest).
//
//   Mapping m = Mapping::trivial(arch.num_levels(), problem.dims.size(), problem.data_spaces.size());
//   m.levels.back().temporal = problem.bounds;          // everything streams from DRAM
//   Cost c = evaluate(problem, arch, m);                 // evaluate.h
//   std::puts(to_map_txt(problem, arch, m).c_str());     // map_txt.h
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "coda/hw/architecture.h"
#include "coda/workload/problem.h"

namespace coda::map {

struct LevelMapping {
  std::vector<int64_t> temporal;          // factor per dimension
  std::vector<int> permutation;           // temporal loop order: every dimension once, innermost first
  std::vector<int64_t> spatial;           // factor per dimension (fan-out to the level below)
  std::vector<uint8_t> spatial_y;         // per dimension: 1 if its spatial loop runs along Y
  std::vector<int> spatial_permutation;   // spatial loop order: every dimension once, innermost first
  uint32_t keep = 0;                      // bit s: this level keeps data space s

  bool keeps(int s) const { return (keep >> s) & 1u; }
  bool operator==(const LevelMapping&) const = default;
};

struct Mapping {
  std::vector<LevelMapping> levels;       // innermost first, one per storage level

  bool operator==(const Mapping&) const = default;
  // All factors 1, identity loop orders, every level keeps every data space.
  static Mapping trivial(int num_levels, int num_dims, int num_data_spaces);
};

// Checks a mapping's shape against a problem and an architecture: one entry per level, factors
// >= 1, permutations that name every dimension once, every dimension covered, and the backing
// store keeping every data space. Throws InvalidError("<where>", "level <name>: ...").
// Capacity and fan-out are not checked here: evaluate() reports them as an EvalStatus.
void check(const Mapping& m, const workload::Problem& p, const hw::Architecture& a, const std::string& where);

// The product of a dimension's factors (temporal and spatial) over all levels.
int64_t coverage(const Mapping& m, int dim);

}  // namespace coda::map
