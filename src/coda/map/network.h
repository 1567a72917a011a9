// map::map_network: maps every compute layer of a model on one architecture, searching each
// distinct layer shape once (layers with equal problems share the result), and totals cycles and
// energy over the layers as they run one after another.
//
//   std::vector<workload::LayerWork> layers = workload::extract(graph);
//   NetworkMapping n = map_network(layers, arch, MapperOptions{});
//   n.energy_pj, n.cycles, n.layers[0].result.mapping;
#pragma once
#include <string>
#include <vector>

#include "coda/map/mapper.h"
#include "coda/workload/extract.h"

namespace coda::map {

struct LayerMapping {
  std::string name;
  workload::Problem problem;
  MapperResult result;   // searched, or copied from an earlier layer of the same shape
  bool cached = false;
};

struct NetworkMapping {
  std::vector<LayerMapping> layers;  // compute layers, in graph order
  int64_t macs = 0, cycles = 0;
  double energy_pj = 0, area_um2 = 0;
  double network_energy_pj = 0;      // part of energy_pj spent on the levels' networks
  double utilization = 0;            // macs / (cycles x MAC units x ops per cycle)
  uint64_t evaluated = 0, valid = 0; // over the distinct shapes searched
  int distinct_shapes = 0;
  double seconds = 0;
  double pj_per_mac() const { return macs ? energy_pj / static_cast<double>(macs) : 0; }
};

// Throws InvalidError("layer <name>", "no mapping fits: <why>") for a layer no mapping can run.
NetworkMapping map_network(const std::vector<workload::LayerWork>& layers, const hw::Architecture& a,
                           const MapperOptions& o);

}  // namespace coda::map
