#include "coda/dse/space.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "coda/core/error.h"
#include "coda/core/file_io.h"
#include "coda/hw/templates.h"
#include "coda/quant/study.h"

namespace coda::dse {

namespace {

std::string at(const std::string& where, const YAML::Node& n) {
  return n.Mark().line >= 0 ? where + ":" + std::to_string(n.Mark().line + 1) : where;
}

std::string scalar(const std::string& where, const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) throw ParseError(at(where, n), "'" + what + "' must be a single value");
  return n.as<std::string>();
}

std::vector<std::string> list(const std::string& where, const YAML::Node& n, const std::string& what) {
  std::vector<std::string> out;
  if (n.IsScalar()) return {n.as<std::string>()};
  if (!n.IsSequence() || n.size() == 0) throw ParseError(at(where, n), "'" + what + "' must be a non-empty list");
  for (const auto& v : n) out.push_back(scalar(where, v, what));
  return out;
}

void check_keys(const std::string& where, const YAML::Node& n, const std::string& what, std::set<std::string> allowed) {
  if (!n.IsMap()) throw ParseError(at(where, n), "'" + what + "' must be a mapping");
  for (const auto& kv : n) {
    const std::string k = kv.first.as<std::string>();
    if (!allowed.count(k)) {
      std::string names;
      for (const auto& a : allowed) names += (names.empty() ? "" : ", ") + a;
      throw InvalidError(at(where, kv.first), "unknown key '" + k + "' in " + what + " (" + names + ")");
    }
  }
}

double number(const std::string& where, const YAML::Node& n, const std::string& what) {
  try {
    return n.as<double>();
  } catch (const YAML::Exception&) {
    throw ParseError(at(where, n), "'" + what + "' must be a number");
  }
}

// A whole number in [lo, hi]: a count, size or seed (a cast of anything else would be undefined).
double whole(const std::string& where, const YAML::Node& n, const std::string& what, double lo, double hi) {
  const double v = number(where, n, what);
  if (!(v >= lo && v <= hi) || v != std::floor(v))
    throw ParseError(at(where, n), format("'%s' must be a whole number from %.0f to %.0f", what.c_str(), lo, hi));
  return v;
}

void check_metric(const std::string& where, const YAML::Node& n, const std::string& m) {
  const auto& names = metric_names();
  if (std::find(names.begin(), names.end(), m) == names.end()) {
    std::string all;
    for (const auto& a : names) all += (all.empty() ? "" : ", ") + a;
    throw InvalidError(at(where, n), "unknown metric '" + m + "' (" + all + ")");
  }
}

void parse_root(const YAML::Node& root, ExploreSpec& s, const std::string& where, const std::string& base_dir) {
  check_keys(where, root, "the spec",
             {"model", "dataset", "accuracy", "pruning", "hardware", "precision", "objectives", "constraints", "carbon", "optimizer",
              "mapper"});
  if (!root["model"]) throw InvalidError(where, "the spec names no model");
  s.model = scalar(where, root["model"], "model");
  if (s.model.rfind("zoo:", 0) != 0 && !std::filesystem::path(s.model).is_absolute())
    s.model = (std::filesystem::path(base_dir) / s.model).lexically_normal().string();
  if (root["dataset"]) s.dataset = scalar(where, root["dataset"], "dataset");
  if (const YAML::Node a = root["accuracy"]) {
    check_keys(where, a, "accuracy", {"limit", "calib"});
    if (a["limit"]) {
      s.eval_limit = static_cast<int64_t>(whole(where, a["limit"], "limit", -1, 1e12));
      if (s.eval_limit == 0) throw ParseError(at(where, a["limit"]), "'limit' must be a whole number from 1 to 1e12, or -1 for all samples");
    }
    if (a["calib"]) s.calib = static_cast<int64_t>(whole(where, a["calib"], "calib", 1, 1e9));
    if (s.calib < 1) throw InvalidError(at(where, a), "calib must be at least 1");
  }
  const YAML::Node hw = root["hardware"];
  if (!hw) throw InvalidError(where, "the spec has no hardware section");
  check_keys(where, hw, "hardware", {"template", "knobs", "fixed"});
  s.hw_template = scalar(where, hw["template"], "template");
  const auto names = hw::template_names();
  if (std::find(names.begin(), names.end(), s.hw_template) == names.end())
    throw InvalidError(at(where, hw["template"]), "unknown template '" + s.hw_template + "'");
  if (const YAML::Node f = hw["fixed"])
    for (const auto& kv : f) s.hw_fixed[kv.first.as<std::string>()] = scalar(where, kv.second, kv.first.as<std::string>());
  if (const YAML::Node k = hw["knobs"]) {
    if (!k.IsMap()) throw ParseError(at(where, k), "'knobs' maps template parameters to lists of values");
    for (const auto& kv : k) s.knobs.push_back({kv.first.as<std::string>(), true, list(where, kv.second, kv.first.as<std::string>())});
  }
  if (const YAML::Node p = root["pruning"]) {
    check_keys(where, p, "pruning", {"keep", "heads", "layers"});
    if (p["layers"]) {
      Knob k{"layers", false, list(where, p["layers"], "layers")};
      for (const auto& v : k.values) {
        char* end = nullptr;
        const long n = std::strtol(v.c_str(), &end, 10);
        if (end == v.c_str() || *end || n < 1)
          throw InvalidError(at(where, p["layers"]), "pruning layer count '" + v + "' is not a positive integer");
      }
      s.knobs.push_back(k);
    }
    for (const char* name : {"keep", "heads"}) {
      if (!p[name]) continue;
      Knob k{name, false, list(where, p[name], name)};
      for (const auto& v : k.values) {
        char* end = nullptr;
        const double f = std::strtod(v.c_str(), &end);
        if (end == v.c_str() || *end || !(f > 0 && f <= 1))
          throw InvalidError(at(where, p[name]), std::string("pruning ") + name + " fraction '" + v + "' is not in (0, 1]");
      }
      s.knobs.push_back(k);
    }
  }
  if (const YAML::Node p = root["precision"]) {
    check_keys(where, p, "precision", {"formats", "methods", "groups"});
    if (p["formats"]) s.knobs.push_back({"format", false, list(where, p["formats"], "formats")});
    if (p["methods"]) s.knobs.push_back({"method", false, list(where, p["methods"], "methods")});
    if (const YAML::Node gs = p["groups"]) {
      if (!gs.IsMap() || gs.size() == 0) throw ParseError(at(where, gs), "'groups' maps group names to {match: TEXT, formats: [...]}");
      for (const auto& kv : gs) {
        const std::string name = kv.first.as<std::string>();
        check_keys(where, kv.second, "precision group " + name, {"match", "formats"});
        if (!kv.second["match"] || !kv.second["formats"])
          throw InvalidError(at(where, kv.first), "precision group '" + name + "' needs match and formats");
        if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != std::string::npos)
          throw InvalidError(at(where, kv.first), "precision group name '" + name + "' may use only letters, digits, _ and -");
        PrecisionGroup g{name, scalar(where, kv.second["match"], "match")};
        if (g.match.empty()) throw InvalidError(at(where, kv.first), "precision group '" + name + "' has an empty match");
        s.groups.push_back(g);
        s.knobs.push_back({"format." + name, false, list(where, kv.second["formats"], "formats")});
      }
    }
  }
  // Validate precision values with the study's names.
  for (const Knob& k : s.knobs) {
    if (k.hardware || k.name == "keep" || k.name == "heads" || k.name == "layers") continue;
    const bool format_knob = k.name.rfind("format", 0) == 0;
    quant::StudyOptions so;
    for (const auto& v : k.values) {
      if (v == "fp32" && format_knob) continue;
      (format_knob ? so.formats : so.methods).push_back(v);
    }
    try {
      quant::study_configs(so);
    } catch (const InvalidError& e) {
      throw InvalidError(where + ": precision", e.what());
    }
  }
  const YAML::Node obj = root["objectives"];
  if (!obj) throw InvalidError(where, "the spec has no objectives");
  for (const auto& o : list(where, obj, "objectives")) {
    auto colon = o.find(':');
    const std::string m = o.substr(0, colon), dir = colon == std::string::npos ? "" : o.substr(colon + 1);
    check_metric(where, obj, m);
    if (dir != "min" && dir != "max") throw InvalidError(at(where, obj), "objective '" + o + "' needs :min or :max");
    s.objectives.push_back({m, dir == "max" ? Sense::Maximize : Sense::Minimize});
  }
  if (const YAML::Node c = root["constraints"]) {
    if (!c.IsMap()) throw ParseError(at(where, c), "'constraints' maps metrics to {min: X, max: Y}");
    for (const auto& kv : c) {
      Constraint k;
      k.metric = kv.first.as<std::string>();
      check_metric(where, kv.first, k.metric);
      check_keys(where, kv.second, "constraint " + k.metric, {"min", "max"});
      if (kv.second["min"]) k.min = number(where, kv.second["min"], "min");
      if (kv.second["max"]) k.max = number(where, kv.second["max"], "max");
      if (k.min > k.max)
        throw InvalidError(at(where, kv.first), format("constraint %s: min %g > max %g admits nothing", k.metric.c_str(), k.min, k.max));
      s.constraints.push_back(k);
    }
  }
  if (root["carbon"]) s.carbon_preset = scalar(where, root["carbon"], "carbon");
  if (const YAML::Node o = root["optimizer"]) {
    check_keys(where, o, "optimizer", {"name", "budget", "batch", "seed"});
    if (o["name"]) s.optimizer = scalar(where, o["name"], "name");
    if (o["budget"]) s.budget = static_cast<size_t>(whole(where, o["budget"], "budget", 1, 1e9));
    if (o["batch"]) s.batch = static_cast<size_t>(whole(where, o["batch"], "batch", 1, 1e6));
    if (o["seed"]) s.seed = static_cast<uint64_t>(whole(where, o["seed"], "seed", 0, 9007199254740992.0));
  }
  if (const YAML::Node m = root["mapper"]) {
    check_keys(where, m, "mapper", {"samples", "refine", "exhaustive_limit", "objective"});
    if (m["samples"]) s.mapper.samples = static_cast<uint64_t>(whole(where, m["samples"], "samples", 0, 1e12));
    if (m["refine"]) s.mapper.refine_steps = static_cast<uint64_t>(whole(where, m["refine"], "refine", 0, 1e12));
    if (m["exhaustive_limit"]) s.mapper.exhaustive_limit = static_cast<uint64_t>(whole(where, m["exhaustive_limit"], "exhaustive_limit", 0, 1e12));
    if (m["objective"]) s.mapper.objective = map::parse_objective(scalar(where, m["objective"], "objective"));
  }
  if (s.knobs.empty()) throw InvalidError(where, "the space is empty: no hardware knobs and no precision knobs");
  // Every hardware knob value must build (checked once per value with the other knobs at their first value).
  for (const Knob& k : s.knobs) {
    if (!k.hardware) continue;
    for (const auto& v : k.values) {
      std::string spec = s.hw_template + "?";
      for (const auto& [fk, fv] : s.hw_fixed) spec += fk + "=" + fv + "&";
      spec += k.name + "=" + v;
      try {
        hw::build_template(spec);
      } catch (const Error& e) {
        throw InvalidError(where + ": hardware knob " + k.name, e.what());
      }
    }
  }
}

}  // namespace

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names = {"accuracy", "latency_s", "energy_j", "power_w", "area_mm2", "tops", "macs",
                                                 "carbon_embodied_g", "carbon_operational_g", "carbon_total_g"};
  return names;
}

ExploreSpec parse_spec(const std::string& yaml, const std::string& where, const std::string& base_dir) {
  ExploreSpec s;
  s.where = where;
  s.yaml = yaml;
  s.base_dir = base_dir;
  s.mapper.samples = 2000;
  s.mapper.refine_steps = 2000;
  s.mapper.exhaustive_limit = 20000;
  try {
    parse_root(YAML::Load(yaml), s, where, base_dir);
  } catch (const YAML::Exception& e) {
    throw ParseError(where + ":" + std::to_string(e.mark.line + 1), e.msg);
  }
  return s;
}

ExploreSpec load_spec(const std::string& path) {
  return parse_spec(read_file(path), path, std::filesystem::path(path).parent_path().string());
}

std::vector<Variable> variables(const ExploreSpec& s) {
  std::vector<Variable> v;
  for (const Knob& k : s.knobs) {
    Variable x;
    x.name = k.name;
    x.kind = Variable::Kind::Choice;
    x.choices = k.values;
    x.lo = 0;
    x.hi = static_cast<double>(k.values.size() - 1);
    v.push_back(x);
  }
  return v;
}

std::map<std::string, std::string> knob_values(const ExploreSpec& s, const Point& p) {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < s.knobs.size(); ++i) {
    const auto& vals = s.knobs[i].values;
    const double x = std::round(p.at(i)), last = static_cast<double>(vals.size() - 1);
    const size_t idx = !(x > 0) ? 0 : x >= last ? vals.size() - 1 : static_cast<size_t>(x);  // NaN: 0
    out[s.knobs[i].name] = vals[idx];
  }
  return out;
}

std::string point_key(const ExploreSpec& s, const Point& p) {
  auto kv = knob_values(s, p);
  std::string key;
  for (const Knob& k : s.knobs) key += (key.empty() ? "" : ";") + k.name + "=" + kv.at(k.name);
  return key;
}

namespace {
std::string json_string(const std::string& v) {
  std::string o = "\"";
  for (unsigned char c : v) {
    if (c == '"' || c == '\\') o += '\\', o += static_cast<char>(c);
    else if (c < 0x20) o += format("\\u%04x", c);
    else o += static_cast<char>(c);
  }
  return o + "\"";
}
}  // namespace

std::string point_json(const ExploreSpec& s, const Point& p) {
  auto kv = knob_values(s, p);
  std::string j = "{";
  for (const Knob& k : s.knobs) j += (j.size() > 1 ? ", " : "") + json_string(k.name) + ": " + json_string(kv.at(k.name));
  return j + "}";
}

Point point_of_key(const ExploreSpec& s, const std::string& key) {
  Point p(s.knobs.size(), 0);
  size_t start = 0, i = 0;
  for (; i < s.knobs.size() && start <= key.size(); ++i) {
    size_t end = key.find(';', start);
    if (end == std::string::npos) end = key.size();
    const std::string item = key.substr(start, end - start);
    const std::string want = s.knobs[i].name + "=";
    if (item.rfind(want, 0) != 0) throw InvalidError("results", "point '" + key + "' is not in this design space");
    const std::string v = item.substr(want.size());
    auto it = std::find(s.knobs[i].values.begin(), s.knobs[i].values.end(), v);
    if (it == s.knobs[i].values.end()) throw InvalidError("results", "point '" + key + "' is not in this design space");
    p[i] = static_cast<double>(it - s.knobs[i].values.begin());
    start = end + 1;
  }
  return p;
}

std::string objectives_text(const ExploreSpec& s) {
  std::string t;
  for (const auto& o : s.objectives) t += (t.empty() ? "" : ",") + o.metric + (o.sense == Sense::Maximize ? ":max" : ":min");
  return t;
}

}  // namespace coda::dse
