// The model zoo: built-in models as graph::Graph, by name and parameters, with seeded random weights.
//
// Every model takes `batch` (default 1) and `seed` (default 0); the same name, params and seed give
// the same bits. Unknown names or parameters, and bad values, raise InvalidError listing what is valid.
//
//   graph::Graph g = zoo::build("resnet18");
//   graph::Graph bert = zoo::build_spec("zoo:bert-base?seq=64&layers=2");
//   ModelSpec s = zoo::parse_spec("zoo:gpt2?mode=decode");   // {"gpt2", {{"mode", "decode"}}}
//   for (const std::string& n : zoo::names()) std::puts(zoo::describe(n).c_str());
#pragma once
#include <map>
#include <string>
#include <vector>

#include "coda/graph/graph.h"

namespace coda::zoo {

// A model name with its parameters, as written "zoo:<name>?<key>=<value>&...".
struct ModelSpec {
  std::string name;
  std::map<std::string, std::string> params;
};

// Parses "zoo:bert-base?seq=64&layers=2" (the "zoo:" prefix is optional). Throws ParseError on an
// empty name, a part without '=', an empty key or a key given twice. Does not check the name.
ModelSpec parse_spec(const std::string& spec);

// Builds model `name`. Throws InvalidError naming the valid models or the model's valid parameters.
graph::Graph build(const std::string& name, const std::map<std::string, std::string>& params = {});
// build(parse_spec(spec)): "zoo:bert-base?seq=64&layers=2" -> Graph.
graph::Graph build_spec(const std::string& spec);

// The model names, sorted.
std::vector<std::string> names();

// One line per model: "<name>: <description> (params: key=default ...)". Throws for an unknown name.
std::string describe(const std::string& name);

}  // namespace coda::zoo
