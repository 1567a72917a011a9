// map::Mapper: finds the best mapping of a problem on an architecture under constraints.
// Small mapspaces are searched exhaustively (capacity and fan-out failures prune whole subtrees);
// large ones by random sampling refined by hill climbing. The work is cut into units that do not depend on the thread
// count and merged in unit order with ties broken by position, so a seed gives the same mapping
// at any number of threads. Each thread evaluates into one scratch Mapping and Cost.
//
//   map::MapperOptions o;
//   o.objective = map::Objective::edp;
//   map::MapperResult r = map::Mapper(problem, arch, map::from_architecture(problem, arch), o).run();
//   if (r.found) std::puts(to_map_txt(problem, arch, r.mapping).c_str());
#pragma once
#include <cstdint>
#include <string>

#include "coda/map/constraints.h"
#include "coda/map/cost.h"
#include "coda/map/mapping.h"
#include "coda/map/objective.h"

namespace coda::map {

struct MapperOptions {
  Objective objective = Objective::edp;
  enum class Algorithm { automatic, exhaustive, random };
  Algorithm algorithm = Algorithm::automatic;
  int threads = 0;                          // 0: all hardware threads
  uint64_t seed = 1;
  uint64_t exhaustive_limit = 4'000'000;    // automatic: exhaustive if at most this many candidates
  uint64_t samples = 200'000;               // random: draws
  uint64_t refine_steps = 100'000;          // random: hill-climbing steps from the best draw
};

struct MapperResult {
  bool found = false;
  Mapping mapping;
  Cost cost;
  std::string algorithm;      // "exhaustive" or "random"
  double mapspace_size = 0;   // candidates the algorithm covers (an estimate for random)
  uint64_t evaluated = 0;     // mappings the search proposed and the model checked
  uint64_t valid = 0;         // of those, mappings that fit (capacity, fan-out) and were costed in full
  double seconds = 0;
  // When nothing was found: the most frequent reason, with the cost holding its tiles.
  EvalStatus failure;
  Cost failure_cost;
};

class Mapper {
 public:
  Mapper(const workload::Problem& p, const hw::Architecture& a, const Constraints& c, const MapperOptions& o);
  MapperResult run() const;

 private:
  const workload::Problem& problem_;
  const hw::Architecture& arch_;
  const Constraints& constraints_;
  MapperOptions options_;
};

}  // namespace coda::map
