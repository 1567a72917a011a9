// Mapping <-> Timeloop's mapping YAML, which is also coda's: a list of directives
//   mapping:
//   - {target: GlobalBuffer, type: temporal, factors: R=3 P=1 K=2, permutation: RPK}
//   - {target: GlobalBuffer, type: spatial, factors: K=16, permutation: KC, split: 1}
//   - {target: RegisterFile, type: bypass, keep: [Outputs], bypass: [Weights, Inputs]}
// Permutations list dimensions innermost first; dimensions a permutation omits go outside, in the
// problem's order. Factors a directive omits are 1; levels without a directive have factors 1 and
// keep everything. A spatial directive's `split` puts the first `split` dimensions of its
// permutation on X and the rest on Y (default: all on the axis the level fans out along).
//
//   Mapping m = parse_timeloop_mapping(text, problem, arch, "ws.map.yaml");
//   std::string again = to_timeloop_mapping_yaml(m, problem, arch);
#pragma once
#include <string>

#include "coda/map/mapping.h"

namespace coda::map {

// Throws ParseError on malformed YAML or a directive naming an unknown level, dimension or data
// space, and InvalidError (via check) on a mapping that does not cover the problem.
Mapping parse_timeloop_mapping(const std::string& yaml_text, const workload::Problem& p, const hw::Architecture& a,
                               const std::string& where);

std::string to_timeloop_mapping_yaml(const Mapping& m, const workload::Problem& p, const hw::Architecture& a);

// "RPK" or "R P K" -> dimension indices; throws ParseError on an unknown or repeated name.
std::vector<int> parse_dim_list(const std::string& text, const workload::Problem& p, const std::string& where);

}  // namespace coda::map
