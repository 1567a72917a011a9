#include "coda/hw/technology.h"

#include <algorithm>
#include <cmath>

#include "coda/core/error.h"
#include "coda/hw/yaml_util.h"

namespace coda::hw {

namespace {

void check_node(const TechnologyScaling& t, double node_nm) {
  if (!(node_nm >= t.min_node_nm && node_nm <= t.max_node_nm))
    throw InvalidError("technology", format("node %g nm is outside the supported range %g-%g nm", node_nm,
                                            t.min_node_nm, t.max_node_nm));
}

bool tabulated(const TechnologyScaling& t, double node_nm) {
  return std::find(t.nodes_nm.begin(), t.nodes_nm.end(), static_cast<int>(node_nm)) != t.nodes_nm.end() &&
         node_nm == std::floor(node_nm);
}

std::string model_key(const TechnologyScaling& t, int node) {
  return node > 45 ? std::to_string(node) : t.variant + std::to_string(node);
}

// Value at a tabulated node; `at` maps a node to its value.
template <class F>
double log_log(const TechnologyScaling& t, double x, F at) {
  std::vector<int> n = t.nodes_nm;            // largest first
  std::sort(n.begin(), n.end());              // smallest first
  if (tabulated(t, x)) return at(static_cast<int>(x));
  size_t hi = 1;                              // segment [n[hi-1], n[hi]]; below n[0] uses the first one
  while (hi + 1 < n.size() && n[hi] < x) ++hi;
  double x0 = n[hi - 1], x1 = n[hi], y0 = at(n[hi - 1]), y1 = at(n[hi]);
  double slope = std::log(y1 / y0) / std::log(x1 / x0);
  return y0 * std::exp(slope * std::log(x / x0));
}

}  // namespace

TechnologyScaling load_technology(const std::string& path) {
  YAML::Node root = load_yaml_file(path);
  TechnologyScaling t;
  t.source = path;
  try {
    t.variant = yaml_string(root["variant"], path, "variant");
    t.min_node_nm = yaml_double(root["min_node_nm"], path, "min_node_nm");
    t.max_node_nm = yaml_double(root["max_node_nm"], path, "max_node_nm");
    for (const auto& n : root["nodes"]) t.nodes_nm.push_back(static_cast<int>(yaml_int(n, path, "nodes")));
    for (const auto& kv : root["nominal_vdd"])
      t.nominal_vdd[static_cast<int>(yaml_int(kv.first, path, "nominal_vdd"))] =
          yaml_double(kv.second, path, "nominal_vdd");
    for (const auto& row : root["area_relative"]) {
      int x = static_cast<int>(yaml_int(row.first, path, "area_relative"));
      for (const auto& kv : row.second)
        t.area_relative[x][static_cast<int>(yaml_int(kv.first, path, "area_relative"))] =
            yaml_double(kv.second, path, "area_relative");
    }
    for (const auto& kv : root["polynomials"]) {
      std::string key = yaml_string(kv.first, path, "polynomials");
      if (!kv.second.IsSequence() || kv.second.size() != 10)
        throw ParseError(path, "polynomials." + key + ": expected 10 coefficients");
      std::array<double, 10> c{};
      for (size_t i = 0; i < 10; ++i) c[i] = yaml_double(kv.second[i], path, "polynomials." + key);
      t.polynomials[key] = c;
    }
  } catch (const YAML::Exception& e) {
    throw ParseError(path, e.what());
  }
  if (t.nodes_nm.size() < 2) throw ParseError(path, "nodes: expected at least two nodes");
  for (int n : t.nodes_nm) {
    if (!t.nominal_vdd.count(n)) throw ParseError(path, format("nominal_vdd: no entry for %d nm", n));
    if (!t.area_relative.count(45) || !t.area_relative.at(45).count(n))
      throw ParseError(path, format("area_relative: no entry [45][%d]", n));
    if (!t.polynomials.count(model_key(t, n)))
      throw ParseError(path, "polynomials: no entry " + model_key(t, n));
  }
  return t;
}

double energy_polynomial(const TechnologyScaling& t, const std::string& key, double vdd) {
  auto it = t.polynomials.find(key);
  if (it == t.polynomials.end()) throw InvalidError(t.source, "no scaling polynomial for '" + key + "'");
  const auto& c = it->second;
  return c[4] * vdd * vdd + c[5] * vdd + c[6];
}

double energy_factor(const TechnologyScaling& t, double node_nm) {
  check_node(t, node_nm);
  auto at = [&](int n) { return energy_polynomial(t, model_key(t, n), t.nominal_vdd.at(n)); };
  return log_log(t, node_nm, at) / at(45);
}

double area_factor(const TechnologyScaling& t, double node_nm) {
  check_node(t, node_nm);
  return log_log(t, node_nm, [&](int n) { return t.area_relative.at(45).at(n); });
}

double energy_scale(const TechnologyScaling& t, double from_nm, double to_nm) {
  return energy_factor(t, to_nm) / energy_factor(t, from_nm);
}

double area_scale(const TechnologyScaling& t, double from_nm, double to_nm) {
  check_node(t, from_nm);
  check_node(t, to_nm);
  if (tabulated(t, from_nm) && tabulated(t, to_nm)) {
    auto row = t.area_relative.find(static_cast<int>(from_nm));
    if (row != t.area_relative.end() && row->second.count(static_cast<int>(to_nm)))
      return row->second.at(static_cast<int>(to_nm));
  }
  return area_factor(t, to_nm) / area_factor(t, from_nm);
}

}  // namespace coda::hw
