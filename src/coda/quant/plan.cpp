#include "coda/quant/plan.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "coda/core/error.h"
#include "coda/core/file_io.h"

namespace coda::quant {

namespace {

std::string at(const std::string& where, const YAML::Node& n) {
  return n.Mark().line >= 0 ? where + ":" + std::to_string(n.Mark().line + 1) : where;
}

std::string scalar(const std::string& where, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) throw ParseError(at(where, n), "'" + key + "' must be a single value");
  return n.as<std::string>();
}

// Runs f, re-raising its InvalidError with the file position.
template <class F> auto located(const std::string& where, const YAML::Node& n, F f) {
  try {
    return f();
  } catch (const InvalidError& e) {
    throw InvalidError(at(where, n), e.what());
  }
}

std::optional<NumberFormat> acts_value(const std::string& where, const YAML::Node& n) {
  std::string v = scalar(where, n, "acts");
  if (v == "none" || v == "fp32") return std::nullopt;
  return located(where, n, [&] { return parse_format(v); });
}

void apply_root(const YAML::Node& root, const std::string& where, PtqOptions& o);

}  // namespace

void apply_plan_text(const std::string& text, const std::string& where, PtqOptions& o) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ParseError(where + ":" + std::to_string(e.mark.line + 1), e.msg);
  }
  try {
    apply_root(root, where, o);
  } catch (const YAML::Exception& e) {
    throw ParseError(where + ":" + std::to_string(e.mark.line + 1), e.msg);
  }
}

}  // namespace coda::quant (apply_root below)

namespace coda::quant {
namespace {
void apply_root(const YAML::Node& root, const std::string& where, PtqOptions& o) {
  if (root.IsNull()) return;
  if (!root.IsMap()) throw ParseError(at(where, root), "a plan is a mapping (method, weights, acts, act_mode, layers)");
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "method") {
      o.method = located(where, v, [&] { return parse_method(scalar(where, v, key)); });
    } else if (key == "weights") {
      o.weights = located(where, v, [&] { return parse_format(scalar(where, v, key)); });
    } else if (key == "acts") {
      o.acts = acts_value(where, v);
    } else if (key == "act_mode") {
      std::string m = scalar(where, v, key);
      if (m != "static" && m != "dynamic") throw InvalidError(at(where, v), "act_mode '" + m + "' is not static or dynamic");
      o.act_mode = m == "static" ? ActMode::Static : ActMode::Dynamic;
    } else if (key == "layers") {
      if (!v.IsMap()) throw ParseError(at(where, v), "'layers' maps layer names to settings");
      for (const auto& layer : v) {
        const std::string name = layer.first.as<std::string>();
        const YAML::Node& s = layer.second;
        LayerSetting set;
        if (s.IsScalar()) {
          if (s.as<std::string>() != "skip")
            throw InvalidError(at(where, s), "layer '" + name + "': a single value must be 'skip'");
          set.skip = true;
        } else if (s.IsMap()) {
          for (const auto& f : s) {
            const std::string k = f.first.as<std::string>();
            if (k == "weights") set.weights = located(where, f.second, [&] { return parse_format(scalar(where, f.second, k)); });
            else if (k == "acts") {
              set.acts = acts_value(where, f.second);
              set.float_acts = !set.acts;
            } else if (k == "method") set.method = located(where, f.second, [&] { return parse_method(scalar(where, f.second, k)); });
            else if (k == "skip") set.skip = f.second.as<bool>();
            else throw InvalidError(at(where, f.first), "layer '" + name + "': unknown key '" + k + "' (weights, acts, method, skip)");
          }
        } else {
          throw ParseError(at(where, s), "layer '" + name + "': expected 'skip' or a mapping");
        }
        if (o.layers.count(name)) throw InvalidError(at(where, layer.first), "layer '" + name + "' is listed twice");
        o.layers[name] = set;
      }
    } else {
      throw InvalidError(at(where, kv.first), "unknown key '" + key + "' (method, weights, acts, act_mode, layers)");
    }
  }
}

}  // namespace

void apply_plan_file(const std::string& path, PtqOptions& o) { apply_plan_text(read_file(path), path, o); }

}  // namespace coda::quant
