// The ACT carbon model: reading data/carbon/*.yaml and evaluating chip, memory and operational carbon.
#include "coda/carbon/carbon.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <type_traits>

#include "coda/core/error.h"
#include "coda/hw/yaml_util.h"

namespace coda::carbon {

namespace {

constexpr double kJoulesPerKwh = 3.6e6;

YAML::Node need(const YAML::Node& map, const char* key, const std::string& where, const std::string& ctx) {
  if (!map || !map.IsMap()) throw ParseError(where, ctx + ": expected a map");
  YAML::Node n = map[key];
  if (!n) throw ParseError(where, ctx + ": missing key '" + key + "'");
  return n;
}

bool opt_bool(const YAML::Node& n, const char* key, const std::string& where, const std::string& ctx) {
  return n[key] && hw::yaml_bool(n[key], where, ctx + "." + key);
}

double non_negative(double v, const std::string& where, const std::string& ctx) {
  if (!std::isfinite(v) || v < 0) throw ParseError(where, format("%s: %g is not a finite non-negative number", ctx.c_str(), v));
  return v;
}

NodeTable read_node_table(const YAML::Node& root, const char* key, const std::string& where) {
  YAML::Node n = need(root, key, where, "act");
  NodeTable t;
  t.source = hw::yaml_string(need(n, "source", where, key), where, std::string(key) + ".source");
  t.verified = opt_bool(n, "verified", where, key);
  if (n["unverified_nm"])
    for (const auto& v : n["unverified_nm"])
      t.unverified_nm.push_back(static_cast<int>(hw::yaml_int(v, where, std::string(key) + ".unverified_nm")));
  YAML::Node values = need(n, "values", where, key);
  if (!values.IsMap() || values.size() == 0) throw ParseError(where, std::string(key) + ".values: expected a non-empty map");
  for (const auto& kv : values) {
    std::string ctx = std::string(key) + ".values";
    int64_t nm = hw::yaml_int(kv.first, where, ctx + " (node in nm)");
    if (nm <= 0) throw ParseError(where, format("%s: node %lld nm is not positive", ctx.c_str(), (long long)nm));
    t.values[static_cast<int>(nm)] =
        non_negative(hw::yaml_double(kv.second, where, ctx), where, ctx + format("[%lld]", (long long)nm));
  }
  return t;
}

NamedTable read_named_table(const YAML::Node& root, const char* key, const std::string& where) {
  YAML::Node n = need(root, key, where, "carbon");
  NamedTable t;
  t.source = hw::yaml_string(need(n, "source", where, key), where, std::string(key) + ".source");
  t.verified = opt_bool(n, "verified", where, key);
  YAML::Node values = need(n, "values", where, key);
  if (!values.IsMap() || values.size() == 0) throw ParseError(where, std::string(key) + ".values: expected a non-empty map");
  for (const auto& kv : values) {
    std::string ctx = std::string(key) + ".values";
    std::string name = hw::yaml_string(kv.first, where, ctx);
    t.values[name] = non_negative(hw::yaml_double(kv.second, where, ctx + "." + name), where, ctx + "." + name);
  }
  return t;
}

// "Taiwan", "loc_taiwan", "British Columbia", "british-columbia" -> "taiwan", "british_columbia".
std::string normalize(const std::string& s) {
  std::string r;
  for (char c : s) r.push_back(c == '-' || c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (const char* p : {"loc_", "src_"})
    if (r.rfind(p, 0) == 0) r = r.substr(4);
  return r;
}

template <class Map>
std::string join_keys(const Map& m) {
  std::string s;
  for (const auto& kv : m) {
    if (!s.empty()) s += ", ";
    if constexpr (std::is_same_v<typename Map::key_type, int>) s += std::to_string(kv.first);
    else s += kv.first;
  }
  return s;
}

// Nodes high to low (28, 22, ..., 3), as ACT lists them.
std::string join_nodes(const std::map<int, double>& m) {
  std::string s;
  for (auto it = m.rbegin(); it != m.rend(); ++it) s += (s.empty() ? "" : ", ") + std::to_string(it->first);
  return s;
}

std::optional<double> lookup(const NamedTable& t, const std::string& name) {
  auto it = t.values.find(normalize(name));
  if (it == t.values.end()) return std::nullopt;
  return it->second;
}

double node_value(const NodeTable& t, int node_nm, const char* what) {
  auto it = t.values.find(node_nm);
  if (it == t.values.end())
    throw InvalidError("node_nm", format("ACT's %s table has no %d nm entry (it has %s nm; coda does not interpolate)",
                                         what, node_nm, join_nodes(t.values).c_str()));
  return it->second;
}

double gpa(const CarbonOptions& o, const Tables& t) {
  // A node ACT has but one of its gas tables lacks (GPA_99 at 22 nm) is the abatement's fault.
  bool node_known = t.epa_kwh_per_cm2.values.count(o.node_nm) > 0;
  if (node_known && (o.gas_abatement == 99 || o.gas_abatement == 97) && !t.gpa_99_g_per_cm2.values.count(o.node_nm))
    throw InvalidError("gas_abatement", format("ACT's GPA_99 table has no %d nm entry (it has %s nm), so %d%% abatement "
                                               "cannot be priced at %d nm; 95%% can",
                                               o.node_nm, join_nodes(t.gpa_99_g_per_cm2.values).c_str(), o.gas_abatement,
                                               o.node_nm));
  switch (o.gas_abatement) {
    case 95: return node_value(t.gpa_95_g_per_cm2, o.node_nm, "GPA_95");
    case 99: return node_value(t.gpa_99_g_per_cm2, o.node_nm, "GPA_99");
    case 97:  // ACT's Fab_Logic default "97": the mean of the 95% and 99% tables
      return (node_value(t.gpa_95_g_per_cm2, o.node_nm, "GPA_95") + node_value(t.gpa_99_g_per_cm2, o.node_nm, "GPA_99")) / 2;
    default:
      throw InvalidError("gas_abatement", format("%d%% is not one of 95, 99, 97 (the mean of 95 and 99, ACT's default)",
                                                 o.gas_abatement));
  }
}

void check_amount(double v, const char* where) {
  if (!std::isfinite(v) || v < 0) throw InvalidError(where, format("%g is not a finite non-negative number", v));
}

CarbonOptions read_preset(const YAML::Node& p, const std::string& name, const Tables& t, const std::string& where,
                          std::string& grid_name) {
  std::string ctx = "presets." + name;
  CarbonOptions o;
  o.node_nm = static_cast<int>(hw::yaml_int(need(p, "node_nm", where, ctx), where, ctx + ".node_nm"));
  o.fab_location = hw::yaml_string(need(p, "fab_location", where, ctx), where, ctx + ".fab_location");
  o.gas_abatement = static_cast<int>(hw::yaml_int(need(p, "gas_abatement", where, ctx), where, ctx + ".gas_abatement"));
  o.yield = p["yield"] ? hw::yaml_double(p["yield"], where, ctx + ".yield") : t.default_yield;
  o.dram_gb = p["dram_gb"] ? hw::yaml_double(p["dram_gb"], where, ctx + ".dram_gb") : 0;
  if (p["dram_type"]) o.dram_type = hw::yaml_string(p["dram_type"], where, ctx + ".dram_type");
  o.ssd_gb = p["ssd_gb"] ? hw::yaml_double(p["ssd_gb"], where, ctx + ".ssd_gb") : 0;
  if (p["ssd_type"]) o.ssd_type = hw::yaml_string(p["ssd_type"], where, ctx + ".ssd_type");
  o.inferences = hw::yaml_double(need(p, "inferences", where, ctx), where, ctx + ".inferences");
  std::string grid = hw::yaml_string(need(p, "grid", where, ctx), where, ctx + ".grid");
  try {
    o.grid_gco2_per_kwh = grid_intensity_gco2_per_kwh(grid, t);
    grid_name = lookup(t.grid_gco2_per_kwh, grid) ? normalize(grid) : "";
    check(o, t);
  } catch (const InvalidError& e) {
    throw ParseError(where, ctx + ": " + e.where() + ": " + e.message());
  }
  return o;
}

}  // namespace

Tables load_tables(const std::string& dir) {
  Tables t;
  t.data_dir = dir;
  std::string act = dir + "/carbon/act.yaml", grid = dir + "/carbon/grid.yaml", presets = dir + "/carbon/presets.yaml";
  try {
    YAML::Node root = hw::load_yaml_file(act);
    t.epa_kwh_per_cm2 = read_node_table(root, "epa_kwh_per_cm2", act);
    t.gpa_95_g_per_cm2 = read_node_table(root, "gpa_95_g_per_cm2", act);
    t.gpa_99_g_per_cm2 = read_node_table(root, "gpa_99_g_per_cm2", act);
    t.mpa_g_per_cm2 = read_node_table(root, "mpa_g_per_cm2", act);
    YAML::Node y = need(root, "default_yield", act, "act");
    t.default_yield = hw::yaml_double(need(y, "value", act, "default_yield"), act, "default_yield.value");
    if (!(t.default_yield > 0 && t.default_yield <= 1))
      throw ParseError(act, format("default_yield.value: %g is not in (0, 1]", t.default_yield));
    t.fab_locations_gco2_per_kwh = read_named_table(root, "fab_locations_gco2_per_kwh", act);
    t.fab_sources_gco2_per_kwh = read_named_table(root, "fab_sources_gco2_per_kwh", act);
    t.dram_g_per_gb = read_named_table(root, "dram_g_per_gb", act);
    t.ssd_g_per_gb = read_named_table(root, "ssd_g_per_gb", act);
  } catch (const YAML::Exception& e) {
    throw ParseError(act, e.what());
  }
  try {
    YAML::Node root = hw::load_yaml_file(grid);
    t.grid_gco2_per_kwh = read_named_table(root, "grid_gco2_per_kwh", grid);
    if (YAML::Node extra = root["grid_gco2_per_kwh"]["extra"]; extra && extra.IsMap())
      for (const auto& kv : extra) {
        std::string name = hw::yaml_string(kv.first, grid, "grid_gco2_per_kwh.extra");
        t.grid_gco2_per_kwh.values[name] = non_negative(
            hw::yaml_double(need(kv.second, "value", grid, "extra." + name), grid, "extra." + name + ".value"), grid,
            "extra." + name);
      }
  } catch (const YAML::Exception& e) {
    throw ParseError(grid, e.what());
  }
  try {
    YAML::Node root = hw::load_yaml_file(presets);
    YAML::Node ps = need(root, "presets", presets, "presets");
    if (!ps.IsMap()) throw ParseError(presets, "presets: expected a map");
    for (const auto& kv : ps) {
      std::string name = hw::yaml_string(kv.first, presets, "presets");
      Preset p;
      p.options = read_preset(kv.second, name, t, presets, p.grid_name);
      t.presets[name] = p;
    }
  } catch (const YAML::Exception& e) {
    throw ParseError(presets, e.what());
  }
  return t;
}

const Tables& tables() {
  static std::mutex m;
  static std::optional<Tables> cached;
  std::lock_guard<std::mutex> lock(m);
  if (!cached) cached = load_tables(hw::data_dir());
  return *cached;
}

Preset preset(const std::string& name, const Tables& t) {
  auto it = t.presets.find(normalize(name));
  if (it == t.presets.end())
    throw InvalidError("preset", "'" + name + "' is not one of " + join_keys(t.presets));
  return it->second;
}

CarbonOptions catransformers_preset() { return preset("catransformers").options; }

double fab_intensity_gco2_per_kwh(const std::string& location, const Tables& t) {
  if (auto v = lookup(t.fab_locations_gco2_per_kwh, location)) return *v;
  if (auto v = lookup(t.fab_sources_gco2_per_kwh, location)) return *v;
  throw InvalidError("fab_location", "'" + location + "' is not one of " + join_keys(t.fab_locations_gco2_per_kwh.values) +
                                         " (locations) or " + join_keys(t.fab_sources_gco2_per_kwh.values) + " (energy sources)");
}

double grid_intensity_gco2_per_kwh(const std::string& s, const Tables& t) {
  if (auto v = lookup(t.grid_gco2_per_kwh, s)) return *v;
  const char* b = s.c_str();
  char* e = nullptr;
  double v = std::strtod(b, &e);
  if (!s.empty() && e == b + s.size() && std::isfinite(v) && v >= 0) return v;
  throw InvalidError("grid", "'" + s + "' is neither a non-negative number of gCO2/kWh nor one of " +
                                 join_keys(t.grid_gco2_per_kwh.values));
}

void check(const CarbonOptions& o, const Tables& t) {
  node_value(t.epa_kwh_per_cm2, o.node_nm, "EPA");
  node_value(t.mpa_g_per_cm2, o.node_nm, "MPA");
  gpa(o, t);
  fab_intensity_gco2_per_kwh(o.fab_location, t);
  if (!(o.yield > 0 && o.yield <= 1)) throw InvalidError("yield", format("%g is not in (0, 1]", o.yield));
  check_amount(o.dram_gb, "dram_gb");
  check_amount(o.ssd_gb, "ssd_gb");
  check_amount(o.inferences, "inferences");
  check_amount(o.grid_gco2_per_kwh, "grid_gco2_per_kwh");
  if (!lookup(t.dram_g_per_gb, o.dram_type))
    throw InvalidError("dram_type", "'" + o.dram_type + "' is not one of " + join_keys(t.dram_g_per_gb.values));
  if (!lookup(t.ssd_g_per_gb, o.ssd_type))
    throw InvalidError("ssd_type", "'" + o.ssd_type + "' is not one of " + join_keys(t.ssd_g_per_gb.values));
}

namespace {

// The evaluations, for options check() has accepted.
ChipCarbon chip_carbon_checked(const CarbonOptions& o, const Tables& t) {
  ChipCarbon c;
  c.fab_gco2_per_kwh = fab_intensity_gco2_per_kwh(o.fab_location, t);
  c.epa_kwh_per_cm2 = node_value(t.epa_kwh_per_cm2, o.node_nm, "EPA");
  c.gpa_g_per_cm2 = gpa(o, t);
  c.mpa_g_per_cm2 = node_value(t.mpa_g_per_cm2, o.node_nm, "MPA");
  c.yield = o.yield;
  c.energy_g_per_cm2 = c.fab_gco2_per_kwh * c.epa_kwh_per_cm2 / o.yield;
  c.gas_g_per_cm2 = c.gpa_g_per_cm2 / o.yield;
  c.materials_g_per_cm2 = c.mpa_g_per_cm2 / o.yield;
  // Summed before dividing, as ACT's Fab_Logic does, so the total matches ACT to the last bit.
  c.total_g_per_cm2 = (c.fab_gco2_per_kwh * c.epa_kwh_per_cm2 + c.gpa_g_per_cm2 + c.mpa_g_per_cm2) / o.yield;
  return c;
}

double dram_per_gb_checked(const CarbonOptions& o, const Tables& t) { return *lookup(t.dram_g_per_gb, o.dram_type) / o.yield; }
double ssd_per_gb_checked(const CarbonOptions& o, const Tables& t) { return *lookup(t.ssd_g_per_gb, o.ssd_type) / o.yield; }

}  // namespace

ChipCarbon chip_carbon(const CarbonOptions& o, const Tables& t) {
  check(o, t);
  return chip_carbon_checked(o, t);
}

double chip_carbon_per_cm2(const CarbonOptions& o, const Tables& t) { return chip_carbon(o, t).total_g_per_cm2; }

double dram_carbon_per_gb(const CarbonOptions& o, const Tables& t) {
  check(o, t);
  return dram_per_gb_checked(o, t);
}

double ssd_carbon_per_gb(const CarbonOptions& o, const Tables& t) {
  check(o, t);
  return ssd_per_gb_checked(o, t);
}

CarbonEstimate estimate(double area_mm2, double energy_pj_per_inference, const CarbonOptions& o, const Tables& t) {
  check_amount(area_mm2, "area_mm2");
  check_amount(energy_pj_per_inference, "energy_pj_per_inference");
  CarbonEstimate e;
  e.area_cm2 = area_mm2 / 100.0;
  check(o, t);
  e.chip_g_per_cm2 = chip_carbon_checked(o, t).total_g_per_cm2;
  e.embodied_chip_g = e.area_cm2 * e.chip_g_per_cm2;
  e.embodied_dram_g = o.dram_gb * dram_per_gb_checked(o, t);
  e.embodied_ssd_g = o.ssd_gb * ssd_per_gb_checked(o, t);
  e.embodied_memory_g = e.embodied_dram_g + e.embodied_ssd_g;
  e.embodied_g = e.embodied_chip_g + e.embodied_memory_g;
  e.energy_kwh_per_inference = energy_pj_per_inference * 1e-12 / kJoulesPerKwh;
  e.per_inference_operational_g = e.energy_kwh_per_inference * o.grid_gco2_per_kwh;
  e.operational_g = e.per_inference_operational_g * o.inferences;
  e.total_g = e.embodied_g + e.operational_g;
  return e;
}

}  // namespace coda::carbon
