// Turning a template's sizes into storage and compute levels costed by the component models.
#include <algorithm>

#include "coda/core/error.h"
#include "coda/hw/templates_impl.h"

namespace coda::hw::detail {

StorageLevel make_level(const ComponentLibrary& lib, const LevelSpec& s, double technology_nm) {
  CODA_CHECK(s.capacity_words > 0 && s.block_size > 0, "level %s: empty", s.name.c_str());
  StorageLevel l;
  l.name = s.name;
  l.kind = s.kind;
  l.capacity_words = s.capacity_words;
  l.word_bits = s.word_bits;
  l.block_size = s.block_size;
  l.instances = s.instances;
  l.mesh_x = s.mesh_x;
  l.holds = s.holds;
  l.read_bandwidth = s.read_bandwidth;
  l.write_bandwidth = s.write_bandwidth;
  int64_t depth = std::max<int64_t>(1, s.capacity_words / s.block_size);
  StorageCost c = storage_cost(lib, s.kind, s.word_bits * s.block_size, depth, s.banks, technology_nm);
  l.read_energy_pj = c.read_energy_pj;
  l.fill_energy_pj = c.write_energy_pj;
  l.update_energy_pj = c.write_energy_pj;
  l.area_um2 = c.area_um2;
  return l;
}

StorageLevel make_dram(const ComponentLibrary& lib, const std::string& type, int word_bits, int block_size) {
  StorageLevel l;
  l.name = "DRAM";
  l.kind = "DRAM";
  l.word_bits = word_bits;
  l.block_size = block_size;
  double e = dram_energy_pj_per_bit(lib, type) * word_bits * block_size;
  l.read_energy_pj = l.fill_energy_pj = l.update_energy_pj = e;
  return l;
}

ComputeLevel make_compute(const ComponentLibrary& lib, const std::string& precision, int64_t instances,
                          int64_t mesh_x, double technology_nm) {
  ComputeLevel c;
  c.instances = instances;
  c.mesh_x = mesh_x;
  c.word_bits = mac_precision(lib, precision).bits;
  ArithCost m = mac_cost(lib, precision, technology_nm);
  c.energy_per_mac_pj = m.energy_pj;
  c.area_um2 = m.area_um2;
  return c;
}

}  // namespace coda::hw::detail
