// Resolves a MODEL argument: an .onnx path or zoo:NAME[?key=value&...].
#include <filesystem>

#include "commands.h"
#include "coda/exec/executor.h"
#include "coda/onnx/import.h"
#include "coda/zoo/zoo.h"

namespace coda::cli {

graph::Graph load_model(const std::string& spec) {
  graph::Graph g = spec.rfind("zoo:", 0) == 0 ? zoo::build_spec(spec) : onnx::import_file(spec);
  exec::prepare(g);
  return g;
}

std::optional<graph::Graph> load_encoder(const std::string& model_spec, const graph::Graph& g) {
  auto it = g.metadata().find("coda.encoder");
  if (it == g.metadata().end()) return std::nullopt;
  std::filesystem::path enc = std::filesystem::path(model_spec).parent_path() / it->second;
  return load_model(enc.string());
}

}  // namespace coda::cli
