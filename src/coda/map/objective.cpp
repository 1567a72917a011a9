#include "coda/map/objective.h"

#include "coda/core/error.h"

namespace coda::map {

Objective parse_objective(const std::string& s) {
  if (s == "edp") return Objective::edp;
  if (s == "energy") return Objective::energy;
  if (s == "cycles" || s == "delay") return Objective::cycles;
  throw InvalidError("--objective", "'" + s + "' is not one of edp, energy, cycles");
}

const char* objective_name(Objective o) {
  return o == Objective::edp ? "edp" : o == Objective::energy ? "energy" : "cycles";
}

bool better(const Cost& a, const Cost& b, Objective o) {
  double pa = o == Objective::edp ? a.edp() : o == Objective::energy ? a.energy_pj : static_cast<double>(a.cycles);
  double pb = o == Objective::edp ? b.edp() : o == Objective::energy ? b.energy_pj : static_cast<double>(b.cycles);
  if (pa != pb) return pa < pb;
  if (a.energy_pj != b.energy_pj) return a.energy_pj < b.energy_pj;
  return a.cycles < b.cycles;
}

}  // namespace coda::map
