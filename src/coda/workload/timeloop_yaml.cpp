#include "coda/workload/timeloop_yaml.h"

#include <yaml-cpp/yaml.h>

#include "coda/core/error.h"

namespace coda::workload {

namespace {

void emit_projection(YAML::Emitter& out, const Problem& p, const Problem::Projection& rank) {
  out << YAML::Flow << YAML::BeginSeq;
  for (const Problem::Term& t : rank) {
    out << YAML::Flow << YAML::BeginSeq << p.dims[static_cast<size_t>(t.dim)];
    if (t.coefficient >= 0) out << p.coefficients[static_cast<size_t>(t.coefficient)].name;
    out << YAML::EndSeq;
  }
  out << YAML::EndSeq;
}

void emit_shape(YAML::Emitter& out, const Problem& p) {
  out << YAML::Key << "shape" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << p.name;
  out << YAML::Key << "dimensions" << YAML::Value << YAML::Flow << p.dims;
  if (!p.coefficients.empty()) {
    out << YAML::Key << "coefficients" << YAML::Value << YAML::BeginSeq;
    for (const Problem::Coefficient& c : p.coefficients)
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << c.name << YAML::Key << "default"
          << YAML::Value << 1 << YAML::EndMap;
    out << YAML::EndSeq;
  }
  out << YAML::Key << "data-spaces" << YAML::Value << YAML::BeginSeq;
  for (const Problem::DataSpace& ds : p.data_spaces) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << ds.name;
    out << YAML::Key << "projection" << YAML::Value << YAML::BeginSeq;
    for (const Problem::Projection& rank : ds.projection) emit_projection(out, p, rank);
    out << YAML::EndSeq;
    if (ds.read_write) out << YAML::Key << "read-write" << YAML::Value << true;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
}

// --- parsing

YAML::Node either(const YAML::Node& map, const char* a, const char* b) {
  return map[a] ? map[a] : map[b];
}

Problem::Term parse_term(const YAML::Node& term, const Problem& p, const std::string& where) {
  if (!term.IsSequence() || term.size() < 1 || term.size() > 2)
    throw ParseError(where, "a projection term must be [dim] or [dim, coefficient]");
  Problem::Term t{-1, -1};
  for (const YAML::Node& name_node : term) {
    std::string name = name_node.as<std::string>();
    if (int d = p.dim_index(name); d >= 0 && t.dim < 0) t.dim = d;
    else if (int c = p.coefficient_index(name); c >= 0 && t.coefficient < 0) t.coefficient = c;
    else throw ParseError(where, "projection names '" + name + "', which is not a dimension or coefficient");
  }
  if (t.dim < 0) throw ParseError(where, "a projection term has no dimension");
  return t;
}

void parse_shape(const YAML::Node& shape, Problem& p, const std::string& where) {
  p.name = shape["name"] ? shape["name"].as<std::string>() : "";
  if (!shape["dimensions"] || !shape["dimensions"].IsSequence()) throw ParseError(where, "shape has no dimensions list");
  for (const YAML::Node& d : shape["dimensions"]) p.dims.push_back(d.as<std::string>());
  p.bounds.assign(p.dims.size(), 1);
  if (YAML::Node cs = shape["coefficients"])
    for (const YAML::Node& c : cs) {
      if (!c["name"]) throw ParseError(where, "a coefficient has no name");
      p.coefficients.push_back({c["name"].as<std::string>(), c["default"] ? c["default"].as<int64_t>() : 1});
    }
  YAML::Node spaces = either(shape, "data-spaces", "data_spaces");
  if (!spaces || !spaces.IsSequence()) throw ParseError(where, "shape has no data-spaces list");
  for (const YAML::Node& s : spaces) {
    Problem::DataSpace ds;
    if (!s["name"] || !s["projection"]) throw ParseError(where, "a data space needs a name and a projection");
    ds.name = s["name"].as<std::string>();
    for (const YAML::Node& rank : s["projection"]) {
      if (!rank.IsSequence()) throw ParseError(where, "data space " + ds.name + ": a projection rank must be a list");
      Problem::Projection proj;
      for (const YAML::Node& term : rank) proj.push_back(parse_term(term, p, where + ": data space " + ds.name));
      ds.projection.push_back(std::move(proj));
    }
    YAML::Node rw = either(s, "read-write", "read_write");
    ds.read_write = rw && rw.as<bool>();
    p.data_spaces.push_back(std::move(ds));
  }
}

void parse_instance(const YAML::Node& inst, Problem& p, const std::string& where) {
  if (!inst) return;
  if (!inst.IsMap()) throw ParseError(where, "instance must be a map of dimension bounds");
  for (const auto& kv : inst) {
    std::string key = kv.first.as<std::string>();
    if (!kv.second.IsScalar()) continue;  // e.g. densities
    if (int d = p.dim_index(key); d >= 0) p.bounds[static_cast<size_t>(d)] = kv.second.as<int64_t>();
    else if (int c = p.coefficient_index(key); c >= 0) p.coefficients[static_cast<size_t>(c)].value = kv.second.as<int64_t>();
    else throw ParseError(where, "instance sets '" + key + "', which is not a dimension or coefficient");
  }
}

}  // namespace

std::string to_timeloop_yaml(const Problem& p) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "problem" << YAML::Value << YAML::BeginMap;
  emit_shape(out, p);
  out << YAML::Key << "instance" << YAML::Value << YAML::BeginMap;
  for (size_t i = 0; i < p.dims.size(); ++i) out << YAML::Key << p.dims[i] << YAML::Value << p.bounds[i];
  for (const Problem::Coefficient& c : p.coefficients) out << YAML::Key << c.name << YAML::Value << c.value;
  out << YAML::EndMap << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

Problem parse_timeloop_problem(const std::string& yaml_text, const std::string& where) {
  Problem p;
  try {
    YAML::Node root = YAML::Load(yaml_text);
    YAML::Node prob = root["problem"] ? root["problem"] : root;
    if (!prob["shape"]) throw ParseError(where, "no problem.shape");
    parse_shape(prob["shape"], p, where);
    parse_instance(prob["instance"], p, where);
  } catch (const YAML::Exception& e) {
    throw ParseError(where + ":" + std::to_string(e.mark.line + 1), e.msg);
  }
  check(p, where);
  return p;
}

}  // namespace coda::workload
