// Accelergy ERT/ART import (declared in timeloop_arch.h).
#include <algorithm>
#include <map>

#include "coda/core/error.h"
#include "coda/hw/timeloop_arch.h"
#include "coda/hw/yaml_util.h"

namespace coda::hw {

std::string reference_table_component(const std::string& dotted) {
  std::string s = dotted;
  // Drop a trailing [a..b] range, then keep the part after the last dot.
  if (!s.empty() && s.back() == ']') {
    size_t open = s.rfind('[');
    if (open != std::string::npos) s.resize(open);
  }
  size_t dot = s.rfind('.');
  return dot == std::string::npos ? s : s.substr(dot + 1);
}

namespace {

// Energy of each action of one component: the most expensive argument combination.
using ActionEnergies = std::map<std::string, double>;

double variants_max(const YAML::Node& action, const std::string& where, const std::string& what) {
  double e = 0;
  if (action.IsSequence()) {
    for (const YAML::Node& v : action)
      if (v["energy"]) e = std::max(e, yaml_double(v["energy"], where, what));
  } else if (action.IsMap() && action["energy"]) {
    e = yaml_double(action["energy"], where, what);
  }
  return e;
}

// Both ERT layouts: v0.3 `tables: [{name, actions: [{name, arguments, energy}]}]` and v0.2
// `tables: {component: {action: [{arguments, energy}] | {arguments, energy}}}`.
std::map<std::string, ActionEnergies> read_ert(const YAML::Node& tables, const std::string& where) {
  std::map<std::string, ActionEnergies> out;
  if (tables.IsSequence()) {
    for (const YAML::Node& t : tables) {
      if (!t["name"] || !t["actions"]) throw ParseError(where, "an ERT table needs a name and actions");
      std::string comp = reference_table_component(yaml_string(t["name"], where, "ERT table name"));
      ActionEnergies& ae = out[comp];
      for (const YAML::Node& a : t["actions"]) {
        if (!a["name"]) throw ParseError(where, "ERT " + comp + ": an action has no name");
        std::string act = yaml_string(a["name"], where, "ERT action name");
        double e = a["energy"] ? yaml_double(a["energy"], where, "ERT " + comp + "." + act + ".energy") : 0;
        ae[act] = std::max(ae.count(act) ? ae[act] : 0.0, e);
      }
    }
  } else if (tables.IsMap()) {
    for (auto t = tables.begin(); t != tables.end(); ++t) {
      std::string comp = reference_table_component(t->first.as<std::string>());
      ActionEnergies& ae = out[comp];
      for (auto a = t->second.begin(); a != t->second.end(); ++a) {
        std::string act = a->first.as<std::string>();
        ae[act] = std::max(ae.count(act) ? ae[act] : 0.0, variants_max(a->second, where, "ERT " + comp + "." + act));
      }
    }
  } else {
    throw ParseError(where, "ERT tables must be a list or a map");
  }
  return out;
}

double max_of(const ActionEnergies& ae) {
  double m = 0;
  for (const auto& [k, v] : ae) m = std::max(m, v);
  return m;
}

double action_or(const ActionEnergies& ae, const char* name, double dflt) {
  auto it = ae.find(name);
  return it == ae.end() ? dflt : it->second;
}

YAML::Node tables_of(const std::string& text, const char* key, const std::string& where) {
  YAML::Node root = parse_yaml(text, where);
  YAML::Node t = root && root.IsMap() && root[key] ? root[key] : root;
  if (!t || !t.IsMap() || !t["tables"]) throw ParseError(where, std::string("no '") + key + ".tables'");
  return t["tables"];
}

}  // namespace

void apply_ert(Architecture& a, const std::string& ert_yaml, const std::string& where, const ErtOptions& opt) try {
  auto table = read_ert(tables_of(ert_yaml, "ERT", where), where);
  for (StorageLevel& l : a.levels) {
    auto it = table.find(l.name);
    if (it == table.end()) continue;
    double m = max_of(it->second);
    if (opt.per_action) {
      l.read_energy_pj = action_or(it->second, "read", m);
      l.fill_energy_pj = action_or(it->second, "write", m);
      l.update_energy_pj = action_or(it->second, "update", l.fill_energy_pj);
    } else {
      l.read_energy_pj = l.fill_energy_pj = l.update_energy_pj = m;
    }
  }
  if (auto it = table.find(a.compute.name); it != table.end())
    a.compute.energy_per_mac_pj = opt.per_action ? action_or(it->second, "mac_random", max_of(it->second))
                                                 : max_of(it->second);
} catch (const YAML::Exception& e) {
  throw_yaml_error(where, e);
}

void apply_art(Architecture& a, const std::string& art_yaml, const std::string& where) try {
  YAML::Node tables = tables_of(art_yaml, "ART", where);
  std::map<std::string, double> area;
  if (tables.IsSequence()) {
    for (const YAML::Node& t : tables) {
      if (!t["name"] || !t["area"]) throw ParseError(where, "an ART entry needs a name and an area");
      area[reference_table_component(yaml_string(t["name"], where, "ART name"))] = yaml_double(t["area"], where, "ART area");
    }
  } else if (tables.IsMap()) {
    for (auto t = tables.begin(); t != tables.end(); ++t) {
      YAML::Node v = t->second.IsMap() && t->second["area"] ? t->second["area"] : t->second;
      area[reference_table_component(t->first.as<std::string>())] = yaml_double(v, where, "ART area");
    }
  } else {
    throw ParseError(where, "ART tables must be a list or a map");
  }
  for (StorageLevel& l : a.levels)
    if (area.count(l.name)) l.area_um2 = area[l.name];
  if (area.count(a.compute.name)) a.compute.area_um2 = area[a.compute.name];
} catch (const YAML::Exception& e) {
  throw_yaml_error(where, e);
}

}  // namespace coda::hw
