#include "coda/hw/arch_yaml.h"

#include <algorithm>
#include <set>

#include "coda/core/error.h"
#include "coda/hw/components.h"
#include "coda/hw/timeloop_arch.h"
#include "coda/hw/yaml_util.h"

namespace coda::hw {

namespace {

void reject_unknown(const YAML::Node& map, const std::set<std::string>& known, const std::string& where,
                    const std::string& what) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    std::string key = it->first.as<std::string>();
    if (!known.count(key)) throw ParseError(where, what + ": unknown key '" + key + "'");
  }
}

bool has_any(const YAML::Node& n, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (n[k]) return true;
  return false;
}

StorageLevel parse_level(const YAML::Node& n, const std::string& where) {
  if (!n.IsMap() || !n["name"]) throw ParseError(where, "each entry of levels needs a name");
  StorageLevel l;
  l.name = yaml_string(n["name"], where, "level name");
  std::string what = "level " + l.name;
  reject_unknown(n,
                 {"name", "kind", "capacity_words", "word_bits", "block_size", "cluster_size", "instances", "mesh_x",
                  "read_bandwidth", "write_bandwidth", "multiple_buffering", "read_energy_pj", "fill_energy_pj",
                  "update_energy_pj", "area_um2", "holds", "banks", "noc_hop_energy_pj_per_bit"},
                 where, what);
  auto i64 = [&](const char* k, int64_t& v) { if (n[k]) v = yaml_int(n[k], where, what + "." + k); };
  auto dbl = [&](const char* k, double& v) { if (n[k]) v = yaml_double(n[k], where, what + "." + k); };
  auto i32 = [&](const char* k, int& v) { if (n[k]) v = yaml_int32(n[k], where, what + "." + k); };
  if (n["kind"]) l.kind = yaml_string(n["kind"], where, what + ".kind");
  i64("capacity_words", l.capacity_words);
  i32("word_bits", l.word_bits);
  i32("block_size", l.block_size);
  i32("cluster_size", l.cluster_size);
  i64("instances", l.instances);
  i64("mesh_x", l.mesh_x);
  dbl("read_bandwidth", l.read_bandwidth);
  dbl("write_bandwidth", l.write_bandwidth);
  dbl("multiple_buffering", l.multiple_buffering);
  dbl("read_energy_pj", l.read_energy_pj);
  dbl("fill_energy_pj", l.fill_energy_pj);
  dbl("update_energy_pj", l.update_energy_pj);
  dbl("area_um2", l.area_um2);
  i32("banks", l.banks);
  dbl("noc_hop_energy_pj_per_bit", l.noc_hop_energy_pj_per_bit);
  if (YAML::Node h = n["holds"]) {
    if (!h.IsSequence()) throw ParseError(where, what + ".holds: expected a list of data-space names");
    for (const YAML::Node& d : h) l.holds.push_back(yaml_string(d, where, what + ".holds"));
  }
  return l;
}

ComputeLevel parse_compute(const YAML::Node& n, const std::string& where) {
  if (!n.IsMap()) throw ParseError(where, "compute: expected a map");
  reject_unknown(n, {"name", "instances", "mesh_x", "word_bits", "precision", "ops_per_cycle", "energy_per_mac_pj", "area_um2"},
                 where, "compute");
  ComputeLevel c;
  if (n["precision"]) c.precision = yaml_string(n["precision"], where, "compute.precision");
  if (n["ops_per_cycle"]) c.ops_per_cycle = yaml_int32(n["ops_per_cycle"], where, "compute.ops_per_cycle");
  if (n["name"]) c.name = yaml_string(n["name"], where, "compute.name");
  if (n["instances"]) c.instances = yaml_int(n["instances"], where, "compute.instances");
  if (n["mesh_x"]) c.mesh_x = yaml_int(n["mesh_x"], where, "compute.mesh_x");
  if (n["word_bits"]) c.word_bits = yaml_int32(n["word_bits"], where, "compute.word_bits");
  if (n["energy_per_mac_pj"]) c.energy_per_mac_pj = yaml_double(n["energy_per_mac_pj"], where, "compute.energy_per_mac_pj");
  if (n["area_um2"]) c.area_um2 = yaml_double(n["area_um2"], where, "compute.area_um2");
  return c;
}

}  // namespace

Architecture load(const std::string& yaml_text, const std::string& where) try {
  YAML::Node root = parse_yaml(yaml_text, where);
  YAML::Node a = root && root.IsMap() && root["architecture"] ? root["architecture"] : root;
  if (!a || !a.IsMap()) throw ParseError(where, "expected a map with an 'architecture' key");
  if (a["subtree"] || a["local"])
    throw ParseError(where, "this is a Timeloop architecture (subtree/local); read it with --timeloop");
  reject_unknown(a, {"name", "clock_mhz", "technology_nm", "compute", "levels"}, where, "architecture");
  Architecture arch;
  if (a["name"]) arch.name = yaml_string(a["name"], where, "architecture.name");
  if (a["clock_mhz"]) arch.clock_mhz = yaml_double(a["clock_mhz"], where, "architecture.clock_mhz");
  if (a["technology_nm"]) arch.technology_nm = yaml_double(a["technology_nm"], where, "architecture.technology_nm");
  if (arch.clock_mhz < 0 || arch.technology_nm < 0)
    throw ParseError(where, "architecture: clock_mhz and technology_nm must not be negative");
  if (!a["levels"] || !a["levels"].IsSequence()) throw ParseError(where, "architecture has no levels list");
  std::vector<bool> priced;
  for (const YAML::Node& n : a["levels"]) {
    arch.levels.push_back(parse_level(n, where));
    priced.push_back(has_any(n, {"read_energy_pj", "fill_energy_pj", "update_energy_pj", "area_um2"}));
  }
  std::reverse(arch.levels.begin(), arch.levels.end());  // the file lists the backing store first
  std::reverse(priced.begin(), priced.end());
  bool compute_priced = true, bits_from_precision = false;
  if (YAML::Node c = a["compute"]) {
    arch.compute = parse_compute(c, where);
    compute_priced = has_any(c, {"energy_per_mac_pj", "area_um2"}) || arch.compute.precision.empty();
    bits_from_precision = !c["word_bits"] && !arch.compute.precision.empty();
  }
  check(arch, where);
  // Levels (SRAM, regfile) and a MAC array with a precision that give no energies and no area are
  // costed by the component models at the architecture's node (the models' own, 45 nm, if unset).
  auto modelled = [&](size_t i) {
    const StorageLevel& l = arch.levels[i];
    return !priced[i] && (l.kind == "SRAM" || l.kind == "regfile") && !l.unbounded();
  };
  bool need_models = !compute_priced || bits_from_precision;
  for (size_t i = 0; i < arch.levels.size(); ++i) need_models = need_models || modelled(i);
  if (need_models) {
    ComponentLibrary lib = load_components();
    try {
      for (size_t i = 0; i < arch.levels.size(); ++i)
        if (modelled(i))
          cost_storage_level(lib, arch.levels[i], arch.technology_nm > 0 ? arch.technology_nm : lib.storage_technology_nm);
      if (bits_from_precision) arch.compute.word_bits = mac_precision(lib, arch.compute.precision).bits;
      if (!compute_priced)
        cost_compute(lib, arch.compute, arch.technology_nm > 0 ? arch.technology_nm : lib.arith_technology_nm);
    } catch (const InvalidError& e) {
      throw InvalidError(where, e.where() + ": " + e.message());
    }
  }
  return arch;
} catch (const YAML::Exception& e) {
  throw_yaml_error(where, e);
}

std::string to_yaml(const Architecture& a) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "architecture" << YAML::Value << YAML::BeginMap;
  if (!a.name.empty()) out << YAML::Key << "name" << YAML::Value << a.name;
  if (a.clock_mhz > 0) out << YAML::Key << "clock_mhz" << YAML::Value << a.clock_mhz;
  if (a.technology_nm > 0) out << YAML::Key << "technology_nm" << YAML::Value << a.technology_nm;
  const ComputeLevel& c = a.compute;
  out << YAML::Key << "compute" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value << c.name
      << YAML::Key << "instances" << YAML::Value << c.instances;
  if (c.mesh_x) out << YAML::Key << "mesh_x" << YAML::Value << c.mesh_x;
  out << YAML::Key << "word_bits" << YAML::Value << c.word_bits;
  if (!c.precision.empty()) out << YAML::Key << "precision" << YAML::Value << c.precision;
  if (c.ops_per_cycle != 1) out << YAML::Key << "ops_per_cycle" << YAML::Value << c.ops_per_cycle;
  out << YAML::Key << "energy_per_mac_pj" << YAML::Value
      << c.energy_per_mac_pj << YAML::Key << "area_um2" << YAML::Value << c.area_um2 << YAML::EndMap;
  out << YAML::Key << "levels" << YAML::Value << YAML::BeginSeq;
  for (auto it = a.levels.rbegin(); it != a.levels.rend(); ++it) {
    const StorageLevel& l = *it;
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << l.name << YAML::Key << "kind" << YAML::Value << l.kind;
    if (l.capacity_words) out << YAML::Key << "capacity_words" << YAML::Value << l.capacity_words;
    out << YAML::Key << "word_bits" << YAML::Value << l.word_bits << YAML::Key << "block_size" << YAML::Value
        << l.block_size;
    if (l.cluster_size != 1) out << YAML::Key << "cluster_size" << YAML::Value << l.cluster_size;
    if (l.banks != 1) out << YAML::Key << "banks" << YAML::Value << l.banks;
    out << YAML::Key << "instances" << YAML::Value << l.instances;
    if (l.mesh_x) out << YAML::Key << "mesh_x" << YAML::Value << l.mesh_x;
    if (l.read_bandwidth) out << YAML::Key << "read_bandwidth" << YAML::Value << l.read_bandwidth;
    if (l.write_bandwidth) out << YAML::Key << "write_bandwidth" << YAML::Value << l.write_bandwidth;
    if (l.multiple_buffering != 1) out << YAML::Key << "multiple_buffering" << YAML::Value << l.multiple_buffering;
    out << YAML::Key << "read_energy_pj" << YAML::Value << l.read_energy_pj << YAML::Key << "fill_energy_pj"
        << YAML::Value << l.fill_energy_pj << YAML::Key << "update_energy_pj" << YAML::Value << l.update_energy_pj
        << YAML::Key << "area_um2" << YAML::Value << l.area_um2;
    if (l.noc_hop_energy_pj_per_bit != 0)
      out << YAML::Key << "noc_hop_energy_pj_per_bit" << YAML::Value << l.noc_hop_energy_pj_per_bit;
    if (!l.holds.empty()) out << YAML::Key << "holds" << YAML::Value << YAML::Flow << l.holds;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

bool is_coda_schema(const std::string& yaml_text, const std::string& where) {
  YAML::Node root = parse_yaml(yaml_text, where);
  YAML::Node a = yaml_either(root, "architecture", "arch");
  return a && a.IsMap() && a["levels"];
}

Architecture load_any(const std::string& yaml_text, const std::string& where) {
  return is_coda_schema(yaml_text, where) ? load(yaml_text, where) : parse_timeloop_architecture(yaml_text, where);
}

}  // namespace coda::hw
