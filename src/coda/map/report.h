// Human-readable cost report: a summary line (cycles, energy, pJ/MAC, utilization, area), then one
// row per level and data space, outermost level first, with the per-instance access counts in
// Timeloop's words (reads, fills, updates) and energy per level and per MAC.
//
//   std::fputs(format_cost(cost, problem, arch).c_str(), stdout);
//
//   cycles 1536, energy 8069.79 pJ (5.254 pJ/MAC), utilization 100.0%, area 0.748 mm^2, 1536 MACs
//   level       instances   energy_pj  pJ/MAC  data space  tile  reads  fills  updates  energy_pj
//   MainMemory          1     4466.34   2.908  Weights       96     96      0        0     478.54
#pragma once
#include <string>

#include "coda/map/cost.h"

namespace coda::map {

std::string format_summary(const Cost& c);
std::string format_cost(const Cost& c, const workload::Problem& p, const hw::Architecture& a);

}  // namespace coda::map
