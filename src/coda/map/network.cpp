#include "coda/map/network.h"

#include <chrono>

#include "coda/core/error.h"

namespace coda::map {

NetworkMapping map_network(const std::vector<workload::LayerWork>& layers, const hw::Architecture& a,
                           const MapperOptions& o) {
  auto t0 = std::chrono::steady_clock::now();
  NetworkMapping n;
  n.area_um2 = a.area_um2();
  for (const workload::LayerWork& l : layers) {
    if (!l.problem) continue;
    LayerMapping lm;
    lm.name = l.name;
    lm.problem = *l.problem;
    for (const LayerMapping& seen : n.layers)
      if (!seen.cached && seen.problem == lm.problem) {
        lm.result = seen.result;
        lm.cached = true;
        break;
      }
    if (!lm.cached) {
      lm.result = Mapper(lm.problem, a, from_architecture(lm.problem, a), o).run();
      ++n.distinct_shapes;
      n.evaluated += lm.result.evaluated;
      n.valid += lm.result.valid;
      if (!lm.result.found)
        throw InvalidError("layer " + l.name,
                           "no mapping fits: " + describe(lm.result.failure, lm.result.failure_cost, lm.problem, a));
    }
    n.macs += lm.result.cost.macs;
    n.cycles += lm.result.cost.cycles;
    n.energy_pj += lm.result.cost.energy_pj;
    n.network_energy_pj += lm.result.cost.network_energy_pj;
    n.layers.push_back(std::move(lm));
  }
  if (n.cycles)
    n.utilization = static_cast<double>(n.macs) / (static_cast<double>(n.cycles) * static_cast<double>(a.compute.instances) *
                                                   static_cast<double>(a.compute.ops_per_cycle));
  n.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return n;
}

}  // namespace coda::map
