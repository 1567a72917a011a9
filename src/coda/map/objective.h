// What a mapper minimises: energy-delay product, energy or cycles, with a fixed tie-break so that
// every search orders mappings the same way.
//
//   Objective o = parse_objective("edp");
//   if (better(candidate, best, o)) best = candidate;
#pragma once
#include <string>

#include "coda/map/cost.h"

namespace coda::map {

enum class Objective { edp, energy, cycles };
// "edp", "energy", "cycles" (or Timeloop's "delay"); throws InvalidError otherwise.
Objective parse_objective(const std::string& s);
const char* objective_name(Objective o);

// True if `a` is strictly better than `b` for the objective (ties on the objective compare energy,
// then cycles).
bool better(const Cost& a, const Cost& b, Objective o);

}  // namespace coda::map
