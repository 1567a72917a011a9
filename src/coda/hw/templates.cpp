// The template registry, spec parsing ("name?key=value&..."), descriptions and the build entry points.
#include "coda/hw/templates.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "coda/core/error.h"
#include "coda/hw/templates_impl.h"

namespace coda::hw {

namespace detail {

namespace {

bool parse_number(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(out) && out > 0;
}

}  // namespace

const std::string& TemplateArgs::text(const std::string& name) const {
  auto it = values_.find(name);
  CODA_CHECK(it != values_.end(), "template %s has no parameter %s", tmpl_.c_str(), name.c_str());
  return it->second;
}

double TemplateArgs::number(const std::string& name) const {
  double v = 0;
  if (!parse_number(text(name), v))
    throw InvalidError(spec_, tmpl_ + ": " + name + ": expected a positive number, got '" + text(name) + "'");
  return v;
}

int64_t TemplateArgs::integer(const std::string& name) const {
  double v = number(name);
  if (v != std::floor(v) || v > static_cast<double>(kMaxParam))
    throw InvalidError(spec_, format("%s: %s: expected a positive integer up to %lld, got '%s'", tmpl_.c_str(),
                                     name.c_str(), (long long)kMaxParam, text(name).c_str()));
  return static_cast<int64_t>(v);
}

int64_t TemplateArgs::product(std::initializer_list<int64_t> factors) const {
  int64_t p = 1;
  for (int64_t f : factors)
    if (__builtin_mul_overflow(p, f, &p) || p > kMaxProduct)
      throw InvalidError(spec_, format("%s: the array is too large (more than %lld units)", tmpl_.c_str(),
                                       (long long)kMaxProduct));
  return p;
}

std::vector<TemplateParam> common_params() {
  return {{"technology_nm", "technology node in nm (3-180; below 7 nm is extrapolated)", {}},
          {"clock_mhz", "clock frequency in MHz", {}},
          {"dram", "off-chip memory type", {"LPDDR4", "DDR4", "HBM2", "DDR3"}}};
}

}  // namespace detail

namespace {

using detail::TemplateDef;
using detail::TemplatePreset;

const std::vector<TemplateDef>& registry() {
  static const std::vector<TemplateDef> defs = [] {
    std::vector<TemplateDef> v{detail::catransformers_template(), detail::edge_npu_template(),
                               detail::eyeriss_template(),        detail::gemmini_template(),
                               detail::simba_template(),          detail::tpu_v1_template()};
    std::sort(v.begin(), v.end(), [](const TemplateDef& a, const TemplateDef& b) { return a.name < b.name; });
    return v;
  }();
  return defs;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

const TemplateDef& find(const std::string& name, const std::string& where) {
  for (const TemplateDef& d : registry())
    if (d.name == name) return d;
  throw InvalidError(where, "unknown template '" + name + "'; valid templates: " + join(template_names()));
}

// The template's preset, checked against its parameter table: every parameter has a default and the
// preset names no other.
TemplatePreset preset_of(const TemplateDef& d, const std::string& data_dir) {
  std::string path = data_dir + "/components/templates.yaml";
  auto all = detail::load_presets(data_dir);
  auto it = all.find(d.name);
  if (it == all.end()) throw ParseError(path, "no preset for template '" + d.name + "'");
  for (const auto& p : d.params)
    if (!it->second.defaults.count(p.name))
      throw ParseError(path, d.name + ".params: no default for '" + p.name + "'");
  for (const auto& kv : it->second.defaults) {
    bool known = false;
    for (const auto& p : d.params) known = known || p.name == kv.first;
    if (!known) throw ParseError(path, d.name + ".params: '" + kv.first + "' is not a parameter of the template");
  }
  return it->second;
}

const std::vector<std::string>& allowed_of(const detail::TemplateParam& p, const TemplatePreset& preset) {
  auto it = preset.allowed.find(p.name);
  return it != preset.allowed.end() ? it->second : p.allowed;
}

std::vector<std::string> param_names(const TemplateDef& d) {
  std::vector<std::string> v;
  for (const auto& p : d.params) v.push_back(p.name);
  return v;
}

detail::TemplateArgs parse(const std::string& spec, const TemplateDef& d, const TemplatePreset& preset,
                           const std::string& query) {
  std::map<std::string, std::string> values = preset.defaults;
  std::vector<std::string> seen;
  size_t pos = 0;
  while (!query.empty() && pos <= query.size()) {
    size_t amp = query.find('&', pos);
    std::string item = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    pos = amp == std::string::npos ? query.size() + 1 : amp + 1;
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InvalidError(spec, d.name + ": expected key=value, got '" + item + "'");
    std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (!values.count(key))
      throw InvalidError(spec, d.name + ": unknown parameter '" + key + "'; valid parameters: " + join(param_names(d)));
    if (std::find(seen.begin(), seen.end(), key) != seen.end())
      throw InvalidError(spec, d.name + ": parameter '" + key + "' given twice");
    seen.push_back(key);
    values[key] = value;
  }
  for (const auto& p : d.params) {
    const std::string& v = values[p.name];
    const std::vector<std::string>& allowed = allowed_of(p, preset);
    if (allowed.empty()) {
      char* end = nullptr;
      double x = std::strtod(v.c_str(), &end);
      if (v.empty() || end != v.c_str() + v.size() || !(x > 0) || !std::isfinite(x))
        throw InvalidError(spec, d.name + ": " + p.name + ": expected a positive number, got '" + v + "'");
    } else if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      throw InvalidError(spec, d.name + ": " + p.name + ": '" + v + "' is not one of " + join(allowed));
    }
  }
  return detail::TemplateArgs(spec, d.name, std::move(values));
}

}  // namespace

std::vector<std::string> template_names() {
  std::vector<std::string> v;
  for (const TemplateDef& d : registry()) v.push_back(d.name);
  return v;
}

std::vector<std::string> template_parameters(const std::string& name) { return param_names(find(name, name)); }

std::string describe_template(const std::string& name) {
  const TemplateDef& d = find(name, name);
  TemplatePreset preset = preset_of(d, data_dir());
  std::string s = d.name + ": " + d.summary + "\n  sources: " + preset.sources + "\n  parameters:\n";
  for (const auto& p : d.params) {
    s += "    " + p.name + " = " + preset.defaults.at(p.name) + "  (" + p.doc;
    if (!allowed_of(p, preset).empty()) s += "; one of " + join(allowed_of(p, preset));
    s += ")\n";
  }
  return s;
}

TemplateResult build_template_full(const std::string& spec, const ComponentLibrary& lib) {
  size_t q = spec.find('?');
  std::string name = spec.substr(0, q);
  const TemplateDef& d = find(name, spec);
  TemplatePreset preset = preset_of(d, lib.data_dir);
  detail::TemplateArgs args = parse(spec, d, preset, q == std::string::npos ? "" : spec.substr(q + 1));
  double nm = args.number("technology_nm");
  if (nm < lib.technology.min_node_nm || nm > lib.technology.max_node_nm)
    throw InvalidError(spec, format("%s: technology_nm: %g nm is outside the supported range %g-%g nm", d.name.c_str(),
                                    nm, lib.technology.min_node_nm, lib.technology.max_node_nm));
  TemplateResult r = d.build(args, lib);
  r.clock_mhz = args.number("clock_mhz");
  r.technology_nm = args.number("technology_nm");
  r.arch.clock_mhz = r.clock_mhz;
  r.arch.technology_nm = r.technology_nm;
  check(r.arch, spec);
  apply_noc_model(lib, r.arch);  // after the areas: a hop is one tile pitch
  return r;
}

TemplateResult build_template_full(const std::string& spec) { return build_template_full(spec, load_components()); }

Architecture build_template(const std::string& spec) { return build_template_full(spec).arch; }

}  // namespace coda::hw
