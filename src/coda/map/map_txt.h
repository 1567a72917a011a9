// A mapping printed as Timeloop's map.txt: levels outermost first, each with the tile it keeps
// per data space, then its loops (temporal, then spatial) indented as one loop nest.
//
//   std::puts(to_map_txt(problem, arch, mapping).c_str());
//
//   MainMemory [ Weights:3 Inputs:18 Outputs:16 ]
//   ---------------------------------------------
//   | for R in [0:3)
//
//   Buffer [ Weights:1 Inputs:16 Outputs:16 ]
//   -----------------------------------------
//   |   for P in [0:16)
#pragma once
#include <string>

#include "coda/map/mapping.h"

namespace coda::map {

std::string to_map_txt(const workload::Problem& p, const hw::Architecture& a, const Mapping& m);

}  // namespace coda::map
