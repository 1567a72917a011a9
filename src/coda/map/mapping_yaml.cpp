#include "coda/map/mapping_yaml.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "coda/core/error.h"
#include "coda/hw/yaml_util.h"
#include "coda/map/timeloop_directive.h"

namespace coda::map {

namespace {

bool single_letter_dims(const workload::Problem& p) {
  return std::all_of(p.dims.begin(), p.dims.end(), [](const std::string& d) { return d.size() == 1; });
}

// Dimensions named in `listed` first (innermost), then the others in the problem's order.
std::vector<int> complete_permutation(const std::vector<int>& listed, size_t dims) {
  std::vector<int> perm = listed;
  for (size_t d = 0; d < dims; ++d)
    if (std::find(perm.begin(), perm.end(), static_cast<int>(d)) == perm.end()) perm.push_back(static_cast<int>(d));
  return perm;
}

void apply(const Directive& dv, Mapping& m, const workload::Problem& p, const hw::Architecture& a,
           const std::string& where) {
  LevelMapping& l = m.levels[static_cast<size_t>(dv.level)];
  std::string what = "target " + dv.target;
  if (dv.type == Directive::Type::bypass) {
    for (int s : dv.keep) l.keep |= 1u << s;
    for (int s : dv.bypass) l.keep &= ~(1u << s);
    return;
  }
  for (const FactorTerm& f : dv.factors) {
    if (f.op != FactorTerm::Op::eq || f.value < 1)
      throw ParseError(where, what + ": a mapping needs exact factors such as " + p.dims[static_cast<size_t>(f.dim)] + "=4");
  }
  bool spatial = dv.type == Directive::Type::spatial;
  std::vector<int64_t>& factors = spatial ? l.spatial : l.temporal;
  for (const FactorTerm& f : dv.factors) factors[static_cast<size_t>(f.dim)] = f.value;
  std::vector<int> perm = complete_permutation(dv.permutation, p.dims.size());
  if (!spatial) {
    l.permutation = perm;
    return;
  }
  l.spatial_permutation = perm;
  int64_t split = dv.split;
  if (split < 0) split = hw::fanout_x(a, dv.level) == 1 && hw::fanout_y(a, dv.level) > 1 ? 0 : static_cast<int64_t>(perm.size());
  for (size_t k = 0; k < perm.size(); ++k) l.spatial_y[static_cast<size_t>(perm[k])] = static_cast<int64_t>(k) >= split;
}

}  // namespace

std::vector<int> parse_dim_list(const std::string& text, const workload::Problem& p, const std::string& where) {
  std::vector<std::string> names;
  if (single_letter_dims(p)) {
    for (char c : text)
      if (!std::isspace(static_cast<unsigned char>(c)) && c != ',') names.emplace_back(1, c);
  } else {
    std::string t = text;
    std::replace(t.begin(), t.end(), ',', ' ');
    std::istringstream in(t);
    for (std::string n; in >> n;) names.push_back(n);
  }
  std::vector<int> dims;
  for (const std::string& n : names) {
    int d = p.dim_index(n);
    if (d < 0) throw ParseError(where, "permutation '" + text + "' names '" + n + "', which is not a dimension");
    if (std::find(dims.begin(), dims.end(), d) != dims.end())
      throw ParseError(where, "permutation '" + text + "' names " + n + " twice");
    dims.push_back(d);
  }
  return dims;
}

Mapping parse_timeloop_mapping(const std::string& yaml_text, const workload::Problem& p, const hw::Architecture& a,
                               const std::string& where) try {
  YAML::Node root = hw::parse_yaml(yaml_text, where);
  YAML::Node list = root && root.IsMap() && root["mapping"] ? root["mapping"] : root;
  if (list && list.IsMap() && list["targets"]) list = list["targets"];
  if (!list || !list.IsSequence()) throw ParseError(where, "expected 'mapping:' with a list of directives");
  Mapping m = Mapping::trivial(a.num_levels(), static_cast<int>(p.dims.size()), static_cast<int>(p.data_spaces.size()));
  for (const YAML::Node& n : list) apply(parse_directive(n, p, a, where), m, p, a, where);
  check(m, p, a, where);
  return m;
} catch (const YAML::Exception& e) {
  hw::throw_yaml_error(where, e);
}

std::string to_timeloop_mapping_yaml(const Mapping& m, const workload::Problem& p, const hw::Architecture& a) {
  std::string sep = single_letter_dims(p) ? "" : " ";
  auto factors = [&](const std::vector<int64_t>& f) {
    std::string s;
    for (size_t d = 0; d < p.dims.size(); ++d) s += (d ? " " : "") + p.dims[d] + "=" + std::to_string(f[d]);
    return s;
  };
  auto perm = [&](const std::vector<int>& order) {
    std::string s;
    for (size_t k = 0; k < order.size(); ++k) s += (k ? sep : "") + p.dims[static_cast<size_t>(order[k])];
    return s;
  };
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "mapping" << YAML::Value << YAML::BeginSeq;
  for (int i = a.num_levels() - 1; i >= 0; --i) {
    const LevelMapping& l = m.levels[static_cast<size_t>(i)];
    const std::string& name = a.levels[static_cast<size_t>(i)].name;
    out << YAML::BeginMap << YAML::Key << "target" << YAML::Value << name << YAML::Key << "type" << YAML::Value
        << "temporal" << YAML::Key << "factors" << YAML::Value << factors(l.temporal) << YAML::Key << "permutation"
        << YAML::Value << perm(l.permutation) << YAML::EndMap;
    // Also where the level has no fanout but the mapping asks for one (map::evaluate reports it as
    // invalid): what was read must be written back.
    const bool any_spatial = std::any_of(l.spatial.begin(), l.spatial.end(), [](int64_t f) { return f != 1; });
    if (hw::fanout(a, i) > 1 || any_spatial) {
      // X dimensions first, in the spatial order, then Y: `split` counts the X ones.
      std::vector<int> order;
      for (int d : l.spatial_permutation) if (!l.spatial_y[static_cast<size_t>(d)]) order.push_back(d);
      size_t split = order.size();
      for (int d : l.spatial_permutation) if (l.spatial_y[static_cast<size_t>(d)]) order.push_back(d);
      out << YAML::BeginMap << YAML::Key << "target" << YAML::Value << name << YAML::Key << "type" << YAML::Value
          << "spatial" << YAML::Key << "factors" << YAML::Value << factors(l.spatial) << YAML::Key << "permutation"
          << YAML::Value << perm(order) << YAML::Key << "split" << YAML::Value << split << YAML::EndMap;
    }
    if (i == a.num_levels() - 1) continue;
    std::vector<std::string> keep, bypass;
    for (size_t s = 0; s < p.data_spaces.size(); ++s)
      (l.keeps(static_cast<int>(s)) ? keep : bypass).push_back(p.data_spaces[s].name);
    out << YAML::BeginMap << YAML::Key << "target" << YAML::Value << name << YAML::Key << "type" << YAML::Value
        << "bypass" << YAML::Key << "keep" << YAML::Value << YAML::Flow << keep << YAML::Key << "bypass" << YAML::Value
        << YAML::Flow << bypass << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace coda::map
