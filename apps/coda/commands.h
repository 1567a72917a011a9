// The coda CLI's subcommands. Each registers its options on the app and returns the action to run.
#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>

#include "coda/graph/graph.h"

namespace coda::cli {

using Action = std::function<int()>;

Action add_inspect(CLI::App& app);
Action add_run(CLI::App& app);
Action add_export(CLI::App& app);
Action add_systolic(CLI::App& app);
Action add_evaluate(CLI::App& app);
Action add_map(CLI::App& app);
Action add_quantize(CLI::App& app);
Action add_carbon(CLI::App& app);
Action add_results(CLI::App& app);
Action add_explore(CLI::App& app);
Action add_merge(CLI::App& app);
Action add_report(CLI::App& app);

// MODEL is an .onnx path or zoo:NAME[?key=value&...]; returns the graph, prepared (folded, inferred).
graph::Graph load_model(const std::string& spec);
// The encoder a reconstruction model names in its metadata (coda.encoder, a path relative to the
// model file), imported and prepared; nullopt when the model names none.
std::optional<graph::Graph> load_encoder(const std::string& model_spec, const graph::Graph& g);

}  // namespace coda::cli
