#include "coda/map/constraints.h"

#include <algorithm>

#include "coda/core/error.h"
#include "coda/hw/yaml_util.h"
#include "coda/map/timeloop_directive.h"

namespace coda::map {

Constraints from_architecture(const workload::Problem& p, const hw::Architecture& a) {
  Constraints c;
  LevelConstraints l;
  l.temporal.assign(p.dims.size(), FactorBounds{});
  l.spatial.assign(p.dims.size(), FactorBounds{});
  l.axis.assign(p.dims.size(), -1);
  c.levels.assign(a.levels.size(), l);
  uint32_t all = p.data_spaces.size() >= 32 ? ~0u : (1u << p.data_spaces.size()) - 1;
  for (size_t i = 0; i < a.levels.size(); ++i)
    for (size_t s = 0; s < p.data_spaces.size(); ++s)
      if (!a.levels[i].may_hold(p.data_spaces[s].name)) c.levels[i].bypass |= 1u << s;
  c.levels.back().keep = all;
  if (c.levels.back().bypass)
    throw InvalidError(a.levels.back().name, "the backing store must be able to hold every data space");
  return c;
}

namespace {

void set_factor(FactorBounds& b, const FactorTerm& f, const workload::Problem& p, const std::string& where,
                const std::string& what) {
  const std::string& dim = p.dims[static_cast<size_t>(f.dim)];
  switch (f.op) {
    case FactorTerm::Op::eq:
      if (b.exact >= 0 && b.exact != f.value)
        throw InvalidError(where, format("%s: %s=%lld contradicts %s=%lld given earlier", what.c_str(), dim.c_str(),
                                         (long long)f.value, dim.c_str(), (long long)b.exact));
      b.exact = f.value;
      break;
    case FactorTerm::Op::le:
      b.max = b.max ? std::min(b.max, f.value) : f.value;
      break;
    case FactorTerm::Op::ge:
      b.min = std::max(b.min, f.value);
      break;
  }
  if (b.max && b.min > b.max)
    throw InvalidError(where, what + ": the bounds on " + dim + " admit no factor");
}

void apply(const Directive& d, Constraints& c, const workload::Problem& p, const hw::Architecture& a,
           const std::string& where) {
  LevelConstraints& l = c.levels[static_cast<size_t>(d.level)];
  std::string what = "target " + d.target;
  if (d.type == Directive::Type::bypass) {
    for (int s : d.keep) {
      const std::string& ds = p.data_spaces[static_cast<size_t>(s)].name;
      if ((l.bypass >> s) & 1u)
        throw InvalidError(where, what + ": keeps " + ds + ", which this level " +
                                      (a.levels[static_cast<size_t>(d.level)].may_hold(ds) ? "must bypass" : "cannot hold"));
      l.keep |= 1u << s;
    }
    for (int s : d.bypass) {
      if ((l.keep >> s) & 1u)
        throw InvalidError(where, what + ": bypasses " + p.data_spaces[static_cast<size_t>(s)].name +
                                      ", which this level must keep" +
                                      (d.level == a.num_levels() - 1 ? " (the backing store keeps everything)" : ""));
      l.bypass |= 1u << s;
    }
    return;
  }
  bool spatial = d.type == Directive::Type::spatial;
  std::vector<FactorBounds>& bounds = spatial ? l.spatial : l.temporal;
  for (const FactorTerm& f : d.factors) set_factor(bounds[static_cast<size_t>(f.dim)], f, p, where, what);
  if (!d.has_permutation) return;
  if (!spatial) {
    if (!l.permutation.empty() && l.permutation != d.permutation)
      throw InvalidError(where, what + ": a second, different temporal permutation");
    l.permutation = d.permutation;
    return;
  }
  int64_t split = d.split;
  if (split < 0) split = hw::fanout_x(a, d.level) == 1 && hw::fanout_y(a, d.level) > 1 ? 0 : static_cast<int64_t>(d.permutation.size());
  for (size_t k = 0; k < d.permutation.size(); ++k) {
    int8_t ax = static_cast<int64_t>(k) < split ? 0 : 1;
    int8_t& cur = l.axis[static_cast<size_t>(d.permutation[k])];
    if (cur >= 0 && cur != ax)
      throw InvalidError(where, what + ": " + p.dims[static_cast<size_t>(d.permutation[k])] + " put on both X and Y");
    cur = ax;
  }
}

}  // namespace

void add_timeloop_constraints(Constraints& c, const std::string& yaml_text, const workload::Problem& p,
                              const hw::Architecture& a, const std::string& where) try {
  YAML::Node root = hw::parse_yaml(yaml_text, where);
  if (!root || !root.IsMap()) throw ParseError(where, "expected a map of constraint lists");
  bool found = false;
  for (const char* key : {"architecture_constraints", "arch_constraints", "mapspace_constraints", "mapspace", "constraints"}) {
    YAML::Node list = root[key];
    if (!list) continue;
    found = true;
    if (list.IsMap() && list["targets"]) list = list["targets"];
    if (list.IsNull()) continue;
    if (!list.IsSequence()) throw ParseError(where, std::string(key) + ": expected a list of directives");
    for (const YAML::Node& n : list) apply(parse_directive(n, p, a, where), c, p, a, where);
  }
  if (!found) throw ParseError(where, "no architecture_constraints or mapspace_constraints key");
} catch (const YAML::Exception& e) {
  hw::throw_yaml_error(where, e);
}

}  // namespace coda::map
