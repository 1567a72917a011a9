#include "coda/map/timeloop_directive.h"

#include <sstream>

#include "coda/core/error.h"
#include "coda/hw/yaml_util.h"
#include "coda/map/mapping_yaml.h"

namespace coda::map {

namespace {

FactorTerm parse_factor(const std::string& tok, const workload::Problem& p, const std::string& where,
                        const std::string& what) {
  size_t at = tok.find_first_of("<>=");
  if (at == std::string::npos || at == 0)
    throw ParseError(where, what + ": factor '" + tok + "' must look like K=16, K<=16 or K>=2");
  FactorTerm f;
  std::string dim = tok.substr(0, at), rest = tok.substr(at);
  if (rest.rfind("<=", 0) == 0) f.op = FactorTerm::Op::le, rest = rest.substr(2);
  else if (rest.rfind(">=", 0) == 0) f.op = FactorTerm::Op::ge, rest = rest.substr(2);
  else if (rest[0] == '=') rest = rest.substr(1);
  else throw ParseError(where, what + ": factor '" + tok + "' must look like K=16, K<=16 or K>=2");
  f.dim = p.dim_index(dim);
  if (f.dim < 0) throw ParseError(where, what + ": factor '" + tok + "' names " + dim + ", which is not a dimension");
  try {
    size_t used = 0;
    f.value = std::stoll(rest, &used);
    if (used != rest.size() || f.value < 0) throw std::invalid_argument("");
  } catch (const std::logic_error&) {
    throw ParseError(where, what + ": factor '" + tok + "' needs a non-negative integer");
  }
  return f;
}

std::vector<int> data_spaces(const YAML::Node& n, const workload::Problem& p, const std::string& where,
                             const std::string& what) {
  std::vector<int> out;
  if (!n) return out;
  std::vector<std::string> names;
  if (n.IsSequence()) {
    for (const YAML::Node& x : n) names.push_back(hw::yaml_string(x, where, what));
  } else {
    names.push_back(hw::yaml_string(n, where, what));
  }
  for (const std::string& s : names) {
    int i = p.data_space_index(s);
    if (i < 0) throw ParseError(where, what + " names " + s + ", which is not a data space of the problem");
    out.push_back(i);
  }
  return out;
}

}  // namespace

Directive parse_directive(const YAML::Node& n, const workload::Problem& p, const hw::Architecture& a,
                          const std::string& where) {
  if (!n.IsMap() || !n["target"]) throw ParseError(where, "each directive needs a target");
  Directive d;
  d.target = hw::yaml_string(n["target"], where, "target");
  d.level = a.level_index(d.target);
  if (d.level < 0) throw ParseError(where, "target " + d.target + " is not a storage level of the architecture");
  std::string what = "target " + d.target;
  std::string type = n["type"] ? hw::yaml_string(n["type"], where, what + ".type") : "temporal";
  if (type == "temporal") d.type = Directive::Type::temporal;
  else if (type == "spatial") d.type = Directive::Type::spatial;
  else if (type == "bypass" || type == "datatype") d.type = Directive::Type::bypass;
  else throw UnsupportedError(where, what + ": directive type '" + type + "' (coda reads temporal, spatial, bypass)");
  what += " (" + type + ")";
  if (YAML::Node f = n["factors"]) {
    std::string text;
    if (f.IsSequence())
      for (const YAML::Node& x : f) text += hw::yaml_string(x, where, what + ".factors") + " ";
    else
      text = hw::yaml_string(f, where, what + ".factors");
    std::istringstream in(text);
    for (std::string tok; in >> tok;) d.factors.push_back(parse_factor(tok, p, where, what));
  }
  if (YAML::Node perm = n["permutation"]) {
    d.has_permutation = true;
    d.permutation = parse_dim_list(hw::yaml_string(perm, where, what + ".permutation"), p, where);
  }
  if (n["split"]) d.split = hw::yaml_int(n["split"], where, what + ".split");
  d.keep = data_spaces(n["keep"], p, where, what + ".keep");
  d.bypass = data_spaces(n["bypass"], p, where, what + ".bypass");
  for (int k : d.keep)
    for (int b : d.bypass)
      if (k == b) throw ParseError(where, what + ": " + p.data_spaces[static_cast<size_t>(k)].name + " is both kept and bypassed");
  return d;
}

}  // namespace coda::map
