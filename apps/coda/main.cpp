// coda: co-design deep-learning models and the accelerators that run them.
#include <cstdio>
#include <exception>

#include "commands.h"
#include "coda/core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"coda: co-design deep-learning models and the hardware accelerators that run them"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "coda 0.1.0");
  std::vector<std::pair<CLI::App*, coda::cli::Action>> actions;
  auto add = [&](coda::cli::Action (*f)(CLI::App&)) {
    size_t before = app.get_subcommands({}).size();
    coda::cli::Action a = f(app);
    actions.emplace_back(app.get_subcommands({})[before], std::move(a));
  };
  add(coda::cli::add_inspect);
  add(coda::cli::add_run);
  add(coda::cli::add_export);
  add(coda::cli::add_systolic);
  add(coda::cli::add_evaluate);
  add(coda::cli::add_map);
  add(coda::cli::add_quantize);
  add(coda::cli::add_carbon);
  add(coda::cli::add_results);
  add(coda::cli::add_explore);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "coda: error: command line: %s\n", e.what());
    return 2;
  }
  try {
    for (auto& [sub, action] : actions)
      if (sub->parsed()) return action();
  } catch (const coda::Error& e) {
    std::fprintf(stderr, "coda: error: %s\n", e.what());
    return e.kind() == coda::ErrorKind::Internal ? 3 : 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "coda: error: out of memory\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "coda: error: internal: %s\n", e.what());
    return 3;
  }
  return 0;
}
