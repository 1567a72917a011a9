// A Cost as JSON (for `coda evaluate/map --json` and the Python module):
//   {"cycles", "compute_cycles", "energy_pj", "energy_uj", "pj_per_mac", "macs", "utilization",
//    "area_mm2", "levels": [{"name", "instances", "energy_pj", "pj_per_mac", "cycles", "slowdown",
//    "read_energy_pj", "fill_energy_pj", "update_energy_pj", "data_spaces": [{"name", "tile",
//    "partition", "reads", "fills", "updates", "fanout", "multicast", "energy_pj"}]}],
//    "mac": {"name", "instances", "energy_pj", "pj_per_mac"}}
// Levels are listed outermost first; counts are per instance, energies totals.
//
//   std::string j = cost_to_json(cost, problem, arch);
//   std::string s = json_string("a \"quoted\" name");   // escaped, with quotes
#pragma once
#include <string>

#include "coda/map/cost.h"

namespace coda::map {

std::string cost_to_json(const Cost& c, const workload::Problem& p, const hw::Architecture& a);
std::string json_string(const std::string& s);

}  // namespace coda::map
