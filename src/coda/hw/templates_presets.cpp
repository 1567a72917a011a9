// Reading data/components/templates.yaml: each template's default parameter values, the published
// value sets that narrow some of them, and the sources.
#include "coda/core/error.h"
#include "coda/hw/templates_impl.h"
#include "coda/hw/yaml_util.h"

namespace coda::hw::detail {

std::map<std::string, TemplatePreset> load_presets(const std::string& data_dir) {
  std::string path = data_dir + "/components/templates.yaml";
  YAML::Node root = load_yaml_file(path);
  if (!root.IsMap()) throw ParseError(path, "expected a map of template names");
  std::map<std::string, TemplatePreset> out;
  try {
    for (const auto& t : root) {
      std::string name = yaml_string(t.first, path, "template name");
      TemplatePreset p;
      p.sources = yaml_string(t.second["sources"], path, name + ".sources");
      YAML::Node params = t.second["params"];
      if (!params || !params.IsMap()) throw ParseError(path, name + ".params: expected a map");
      for (const auto& kv : params) {
        std::string key = yaml_string(kv.first, path, name + ".params");
        std::string ctx = name + ".params." + key;
        if (kv.second.IsMap()) {
          p.defaults[key] = yaml_string(kv.second["default"], path, ctx + ".default");
          for (const auto& v : kv.second["allowed"]) p.allowed[key].push_back(yaml_string(v, path, ctx + ".allowed"));
        } else {
          p.defaults[key] = yaml_string(kv.second, path, ctx);
        }
      }
      out[name] = std::move(p);
    }
  } catch (const YAML::Exception& e) {
    throw ParseError(path, e.what());
  }
  return out;
}

}  // namespace coda::hw::detail
