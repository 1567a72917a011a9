// `coda explore`: search a design space (examples/demo.yaml by default) for the Pareto front, every
// point stored in a results database as it is evaluated; Ctrl-C stops cleanly, a rerun resumes.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "coda/core/error.h"
#include "coda/dse/explore.h"
#include "coda/dse/mpi_world.h"
#include "coda/hw/components.h"

namespace coda::cli {

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_sigint(int) { g_stop.store(true); }

struct ExploreCliOptions {
  std::string spec, db = "results.db";
  size_t budget = 0;
  int threads = 0;
  bool json = false;
  std::string shard;
};

std::string default_spec() {
  return (std::filesystem::path(hw::data_dir()).parent_path() / "examples" / "demo.yaml").string();
}

void print_front(const dse::ExploreSpec& s, const std::vector<dse::PointRecord>& front) {
  std::printf("\nPareto front (%zu points; objectives %s):\n", front.size(), dse::objectives_text(s).c_str());
  std::vector<std::string> cols;
  for (const auto& o : s.objectives) cols.push_back(o.metric);
  for (const char* extra : {"area_mm2", "tops"})
    if (std::find(cols.begin(), cols.end(), extra) == cols.end()) cols.push_back(extra);
  int w = 5;
  for (const auto& r : front) w = std::max(w, static_cast<int>(r.key.size()));
  std::printf("%-*s", w, "point");
  for (const auto& c : cols) std::printf(" %14s", c.c_str());
  std::printf("\n");
  for (const auto& r : front) {
    std::printf("%-*s", w, r.key.c_str());
    for (const auto& c : cols) {
      auto it = r.metrics.find(c);
      if (it == r.metrics.end()) std::printf(" %14s", "-");
      else std::printf(" %14.6g", it->second);
    }
    std::printf("\n");
  }
}

int run_explore(const ExploreCliOptions& c) {
  const std::string path = c.spec.empty() ? default_spec() : c.spec;
  dse::ExploreSpec s = dse::load_spec(path);
  dse::ExploreOptions o;
  o.db = c.db;
  o.budget = c.budget;
  o.threads = c.threads;
  o.stop = &g_stop;
  if (!c.shard.empty()) dse::parse_shard(c.shard, o.shard_index, o.shard_count);
  // Under mpirun (or srun) the ranks share the work; rank 0 stores, prints and shows progress.
  o.mpi = dse::mpi::launched();
  const bool worker = o.mpi && dse::mpi::world().rank() != 0;
  const bool tty = isatty(STDERR_FILENO) && !worker;
  if (!worker) o.progress = [tty](const dse::ExploreProgress& p) {
    const double per = p.evaluated ? p.seconds / static_cast<double>(p.evaluated) : 0;
    const double eta = per * static_cast<double>(p.budget - p.done);
    if (tty) {
      const int width = 30, filled = static_cast<int>(width * p.done / std::max<size_t>(1, p.budget));
      std::fprintf(stderr, "\r  [%s%s] %zu/%zu  %.0f s, ETA %.0f s  %-40.40s", std::string(filled, '#').c_str(),
                   std::string(width - filled, '.').c_str(), p.done, p.budget, p.seconds, eta,
                   p.last ? (p.last->status + " " + p.last->key).c_str() : "");
    } else {
      std::fprintf(stderr, "  %zu/%zu %s %s (%.1f s, ETA %.0f s)\n", p.done, p.budget, p.last ? p.last->status.c_str() : "",
                   p.last ? p.last->key.c_str() : "", p.seconds, eta);
    }
  };
  std::signal(SIGINT, on_sigint);
  dse::ExploreResult r = dse::explore(s, o);
  std::signal(SIGINT, SIG_DFL);
  if (r.worker) return 0;
  if (tty) std::fprintf(stderr, "\n");
  if (c.json) {
    nlohmann::json front = nlohmann::json::array();
    for (const auto& p : r.front)
      front.push_back({{"key", p.key}, {"config", nlohmann::json::parse(p.config_json)}, {"metrics", p.metrics}});
    std::printf("%s\n", nlohmann::json({{"spec", path}, {"db", c.db}, {"evaluated", r.evaluated}, {"reused", r.reused},
                                        {"infeasible", r.infeasible}, {"stopped", r.stopped}, {"seconds", r.seconds}, {"ranks", r.ranks},
                                        {"accuracies_measured", r.measured}, {"busy", r.busy}, {"front", front}})
                            .dump(2)
                            .c_str());
    return r.stopped ? 130 : 0;
  }
  std::printf("%s: %zu points evaluated, %zu reused from %s, %zu infeasible, %.1f s%s%s%s\n", path.c_str(), r.evaluated,
              r.reused, c.db.c_str(), r.infeasible, r.seconds, r.ranks > 1 ? format(" on %d MPI ranks", r.ranks).c_str() : "",
              c.shard.empty() ? "" : (" (shard " + c.shard + ")").c_str(), r.stopped ? " (stopped by Ctrl-C; rerun to resume)" : "");
  if (r.ranks > 1)
    std::printf("workers busy %.1f%% of the run; %zu accuracies measured\n", 100 * r.busy, r.measured);
  print_front(s, r.front);
  return r.stopped ? 130 : 0;
}

}  // namespace

Action add_explore(CLI::App& app) {
  auto o = std::make_shared<ExploreCliOptions>();
  auto* sub = app.add_subcommand("explore", "Search a design space for its Pareto front (default: examples/demo.yaml)");
  sub->add_option("spec", o->spec, "SPEC.yaml (docs/explore.md); default: the built-in demo");
  sub->add_option("--db", o->db, "results database (default results.db); rerunning resumes it");
  sub->add_option("--budget", o->budget, "points to evaluate in all (default: the spec's)");
  sub->add_option("--threads", o->threads, "threads for mapping and evaluation (default: all cores)")->check(CLI::NonNegativeNumber);
  sub->add_flag("--json", o->json, "print the result as JSON");
  sub->add_option("--shard", o->shard, "I/N: evaluate the I-th of N slices of a grid/random/sobol search (merge with `coda merge`)");
  return [o] { return run_explore(*o); };
}

}  // namespace coda::cli
