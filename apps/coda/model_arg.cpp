// Resolves a MODEL argument: an .onnx path or zoo:NAME[?key=value&...].
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

}  // namespace coda::cli
