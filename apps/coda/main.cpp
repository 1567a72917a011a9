// coda: co-design deep-learning models and the accelerators that run them.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include <malloc.h>

#include "commands.h"
#include "coda/core/error.h"
#include "coda/core/memory.h"

int main(int argc, char** argv) {
  // Tensors of up to tens of MiB come and go at every node the executor runs. By default glibc serves
  // blocks over its (adaptive) mmap threshold with mmap and trims the heap's top soon after a free,
  // so the next tensor of that size faults its pages in again, zeroed by the kernel; with threads
  // (rank 0's worker, MPI's progress threads) the non-main arenas shrink even sooner. Keeping freed
  // blocks of up to 64 MiB in the heap took the demo explorer's system time from 0.9 to 0.6-0.85 s in
  // one process and from 1.4-1.7 to 0.9-1.0 s over two MPI ranks. Tensor memory is counted by the
  // tensors themselves (--memory-limit), not by what the heap holds.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  CLI::App app{"coda: co-design deep-learning models and the hardware accelerators that run them"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "coda 0.1.0");
  app.fallthrough();  // global options may follow the subcommand
  std::string memory_limit;
  app.add_option("--memory-limit", memory_limit,
                 "refuse work needing more memory than SIZE (e.g. 4G; default: physical memory or the cgroup's limit; "
                 "env CODA_MEMORY_LIMIT)");
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
  add(coda::cli::add_merge);
  add(coda::cli::add_report);
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
    if (memory_limit.empty() && std::getenv("CODA_MEMORY_LIMIT")) memory_limit = std::getenv("CODA_MEMORY_LIMIT");
    if (!memory_limit.empty()) coda::set_memory_limit(coda::parse_size(memory_limit, "--memory-limit"));
    for (auto& [sub, action] : actions)
      if (sub->parsed()) return action();
  } catch (const coda::Error& e) {
    std::fprintf(stderr, "coda: error: %s\n", e.what());
    return e.kind() == coda::ErrorKind::Internal ? 3 : 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "coda: error: memory: out of memory (limit %s; --memory-limit)\n",
                 coda::format_bytes(coda::memory_limit_bytes()).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "coda: error: internal: %s\n", e.what());
    return 3;
  }
  return 0;
}
