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
  l.banks = s.banks;
  l.instances = s.instances;
  l.mesh_x = s.mesh_x;
  l.holds = s.holds;
  l.read_bandwidth = s.read_bandwidth;
  l.write_bandwidth = s.write_bandwidth;
  cost_storage_level(lib, l, technology_nm);  // from the level's own geometry and banks
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
  c.precision = precision;
  cost_compute(lib, c, technology_nm);
  return c;
}

}  // namespace coda::hw::detail
