// Reading data/components/*.yaml into a ComponentLibrary.
#include <cstdlib>
#include <filesystem>

#include "coda/core/error.h"
#include "coda/hw/components.h"
#include "coda/hw/yaml_util.h"

namespace coda::hw {

namespace {

// <source root> from this file's path: <root>/src/coda/hw/components_load.cpp.
std::string compiled_source_root() {
  std::filesystem::path p(__FILE__);
  return p.parent_path().parent_path().parent_path().parent_path().string();
}

YAML::Node need(const YAML::Node& map, const char* key, const std::string& where, const std::string& ctx) {
  YAML::Node n = map[key];
  if (!n) throw ParseError(where, ctx + ": missing key '" + key + "'");
  return n;
}

PowerLawFit read_fit(const YAML::Node& n, const std::string& where, const std::string& ctx) {
  if (!n || !n.IsMap()) throw ParseError(where, ctx + ": expected a map");
  PowerLawFit f;
  f.k = yaml_double(need(n, "k", where, ctx), where, ctx + ".k");
  f.a = yaml_double(need(n, "a", where, ctx), where, ctx + ".a");
  f.b = yaml_double(need(n, "b", where, ctx), where, ctx + ".b");
  f.c = yaml_double(need(n, "c", where, ctx), where, ctx + ".c");
  f.max_error = yaml_double(need(n, "max_error", where, ctx), where, ctx + ".max_error");
  return f;
}

double opt_double(const YAML::Node& n, const char* key, const std::string& where, const std::string& ctx) {
  return n[key] ? yaml_double(n[key], where, ctx + "." + key) : 0.0;
}

StorageModel read_storage(const YAML::Node& root, const char* kind, const std::string& where) {
  YAML::Node n = need(root, kind, where, "storage");
  StorageModel m;
  m.read_energy_pj = read_fit(n["read_energy_pj"], where, std::string(kind) + ".read_energy_pj");
  m.area_um2 = read_fit(n["area_um2"], where, std::string(kind) + ".area_um2");
  m.write_to_read = yaml_double(need(n, "write_to_read", where, kind), where, std::string(kind) + ".write_to_read");
  for (const auto& p : n["fit_points"]) {
    std::string ctx = std::string(kind) + ".fit_points";
    FitPoint f;
    f.source = yaml_string(need(p, "source", where, ctx), where, ctx + ".source");
    f.width_bits = yaml_double(need(p, "width_bits", where, ctx), where, ctx + ".width_bits");
    f.depth = yaml_double(need(p, "depth", where, ctx), where, ctx + ".depth");
    f.banks = yaml_double(need(p, "banks", where, ctx), where, ctx + ".banks");
    f.read_energy_pj = opt_double(p, "read_energy_pj", where, ctx);
    f.write_energy_pj = opt_double(p, "write_energy_pj", where, ctx);
    f.area_um2 = opt_double(p, "area_um2", where, ctx);
    m.fit_points.push_back(f);
  }
  return m;
}

void read_arith(ComponentLibrary& lib, const std::string& path) {
  YAML::Node root = load_yaml_file(path);
  YAML::Node h = need(root, "horowitz_2014", path, "arith");
  lib.arith_technology_nm = yaml_double(need(h, "technology_nm", path, "horowitz_2014"), path, "technology_nm");
  for (const auto& o : need(h, "ops", path, "horowitz_2014")) {
    ArithPoint p;
    p.op = yaml_string(need(o, "op", path, "ops"), path, "ops.op");
    p.bits = static_cast<int>(yaml_int(need(o, "bits", path, "ops"), path, "ops.bits"));
    p.energy_pj = yaml_double(need(o, "energy_pj", path, "ops"), path, "ops.energy_pj");
    p.area_um2 = yaml_double(need(o, "area_um2", path, "ops"), path, "ops.area_um2");
    lib.arith.push_back(p);
  }
  for (const auto& o : need(root, "mac_precisions", path, "arith")) {
    MacPrecision m;
    m.name = yaml_string(need(o, "name", path, "mac_precisions"), path, "mac_precisions.name");
    m.is_float = yaml_string(need(o, "kind", path, "mac_precisions"), path, "mac_precisions.kind") == "fp";
    m.bits = static_cast<int>(yaml_int(need(o, "bits", path, "mac_precisions"), path, "mac_precisions.bits"));
    m.acc_bits = static_cast<int>(yaml_int(need(o, "acc_bits", path, "mac_precisions"), path, "acc_bits"));
    if (m.is_float)
      m.significand_bits = static_cast<int>(
          yaml_int(need(o, "significand_bits", path, "mac_precisions"), path, "significand_bits"));
    lib.precisions.push_back(m);
  }
  for (const char* op : {"int_add", "int_mult", "fp_add", "fp_mult"}) {
    int n = 0;
    for (const ArithPoint& p : lib.arith) n += p.op == op;
    if (n < 2) throw ParseError(path, format("horowitz_2014.ops: need at least two '%s' points, got %d", op, n));
  }
  for (const char* name : {"FP16", "FP32", "INT8"}) {
    bool found = false;
    for (const MacPrecision& m : lib.precisions) found = found || m.name == name;
    if (!found) throw ParseError(path, std::string("mac_precisions: missing ") + name);
  }
  YAML::Node s = need(root, "precision_scalable", path, "arith");
  lib.scalable_base = yaml_string(need(s, "base", path, "precision_scalable"), path, "precision_scalable.base");
  lib.scalable_area_overhead = yaml_double(need(s, "area_overhead", path, "precision_scalable"), path, "area_overhead");
  lib.scalable_energy_overhead =
      yaml_double(need(s, "energy_overhead", path, "precision_scalable"), path, "energy_overhead");
  for (const auto& m : need(s, "modes", path, "precision_scalable"))
    lib.scalable_modes.push_back({yaml_string(need(m, "name", path, "modes"), path, "modes.name"),
                                  static_cast<int>(yaml_int(need(m, "ops_per_cycle", path, "modes"), path,
                                                            "modes.ops_per_cycle"))});
}

void read_dram(ComponentLibrary& lib, const std::string& path) {
  YAML::Node root = load_yaml_file(path);
  for (const auto& d : need(root, "dram", path, "dram")) {
    DramType t;
    t.type = yaml_string(need(d, "type", path, "dram"), path, "dram.type");
    t.energy_pj_per_bit = yaml_double(need(d, "energy_pj_per_bit", path, "dram"), path, "dram.energy_pj_per_bit");
    t.verified = d["verified"] && yaml_bool(d["verified"], path, "dram.verified");
    lib.dram.push_back(t);
  }
}

void read_noc(ComponentLibrary& lib, const std::string& path) {
  YAML::Node root = load_yaml_file(path);
  YAML::Node w = need(root, "wire", path, "noc");
  lib.noc_wire_pj_per_bit_mm = yaml_double(need(w, "energy_pj_per_bit_mm", path, "wire"), path, "wire.energy_pj_per_bit_mm");
  lib.noc_wire_verified = w["verified"] && yaml_bool(w["verified"], path, "wire.verified");
  YAML::Node r = need(root, "router", path, "noc");
  lib.noc_router_pj_per_bit_hop =
      yaml_double(need(r, "energy_pj_per_bit_hop", path, "router"), path, "router.energy_pj_per_bit_hop");
  if (lib.noc_wire_pj_per_bit_mm < 0 || lib.noc_router_pj_per_bit_hop < 0)
    throw ParseError(path, "noc: energies must not be negative");
}

}  // namespace

std::string data_dir() {
  if (const char* env = std::getenv("CODA_DATA_DIR"); env && *env) return env;
  return compiled_source_root() + "/data";
}

ComponentLibrary load_components(const std::string& dir) {
  ComponentLibrary lib;
  lib.data_dir = dir;
  std::string storage = dir + "/components/storage.yaml";
  try {
    YAML::Node root = load_yaml_file(storage);
    lib.sram = read_storage(root, "sram", storage);
    lib.regfile = read_storage(root, "regfile", storage);
  } catch (const YAML::Exception& e) {
    throw ParseError(storage, e.what());
  }
  std::string arith = dir + "/components/arith.yaml", dram = dir + "/components/dram.yaml";
  try {
    read_arith(lib, arith);
  } catch (const YAML::Exception& e) {
    throw ParseError(arith, e.what());
  }
  try {
    read_dram(lib, dram);
  } catch (const YAML::Exception& e) {
    throw ParseError(dram, e.what());
  }
  std::string noc = dir + "/components/noc.yaml";
  try {
    read_noc(lib, noc);
  } catch (const YAML::Exception& e) {
    throw ParseError(noc, e.what());
  }
  lib.technology = load_technology(dir + "/components/technology.yaml");
  return lib;
}

}  // namespace coda::hw
