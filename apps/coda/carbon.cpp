// `coda carbon`: being written in this session (placeholder so the CLI builds meanwhile).
#include "commands.h"
#include "coda/core/error.h"

namespace coda::cli {

Action add_carbon(CLI::App& app) {
  app.add_subcommand("carbon", "(not yet available)");
  return [] () -> int { throw UnsupportedError("coda carbon", "not available yet"); };
}

}  // namespace coda::cli
