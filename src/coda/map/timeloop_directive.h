// One entry of a Timeloop mapping or constraints list, resolved against a problem and an
// architecture: {target, type: temporal|spatial|bypass, factors: "K=16 C<=4 P=0", permutation,
// split, keep, bypass}. Shared by the mapping reader and the constraints reader.
//
//   Directive d = parse_directive(node, problem, arch, "constraints.yaml");
//   d.level;                      // the target's index in arch.levels
//   d.factors[0].dim, .op, .value;
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "coda/hw/architecture.h"
#include "coda/workload/problem.h"

namespace coda::map {

struct FactorTerm {
  enum class Op { eq, le, ge };
  int dim = 0;
  Op op = Op::eq;
  int64_t value = 1;  // with eq, 0 means "whatever remains of the dimension" (constraints only)
};

struct Directive {
  enum class Type { temporal, spatial, bypass };
  std::string target;
  int level = -1;
  Type type = Type::temporal;
  std::vector<FactorTerm> factors;
  bool has_permutation = false;
  std::vector<int> permutation;   // as written, innermost first; may list only some dimensions
  int64_t split = -1;             // spatial: dimensions of the permutation on X; -1 = unspecified
  std::vector<int> keep, bypass;  // data-space indices
};

// Throws ParseError naming the entry on an unknown target, type, dimension or data space, or on
// a malformed factor such as "K:16".
Directive parse_directive(const YAML::Node& n, const workload::Problem& p, const hw::Architecture& a,
                          const std::string& where);

}  // namespace coda::map
