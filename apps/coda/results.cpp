// `coda results`: being written in this session (placeholder so the CLI builds meanwhile).
#include "commands.h"
#include "coda/core/error.h"

namespace coda::cli {

Action add_results(CLI::App& app) {
  app.add_subcommand("results", "(not yet available)");
  return [] () -> int { throw UnsupportedError("coda results", "not available yet"); };
}

}  // namespace coda::cli
