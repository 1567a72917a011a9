// coda explore: specs and their errors, and resume after SIGKILL of real runs (nothing lost, nothing
// duplicated, the same points as an uninterrupted run).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "coda/core/error.h"
#include "coda/dse/evaluator.h"
#include "coda/dse/explore.h"
#include "coda/dse/space.h"
#include "coda/dse/store.h"
#include "coda/exec/executor.h"
#include "coda/graph/prune.h"
#include "coda/onnx/import.h"
#include "coda/quant/evaluate.h"
#include "../cli_util.h"

namespace coda::dse {
namespace {

namespace fs = std::filesystem;

fs::path scratch() {
  fs::path d = fs::temp_directory_path() / ("coda_explore_" + std::to_string(getpid()));
  fs::create_directories(d);
  return d;
}

std::string spec_text(const std::string& extra = "", const std::string& mapper = "{samples: 300, refine: 300, exhaustive_limit: 2000}") {
  return "model: " + std::string(CODA_SOURCE_DIR) + "/models/mlp.onnx\n" +
         "accuracy: {limit: 500, calib: 64}\n"
         "pruning: {keep: [1, 0.5]}\n"
         "hardware:\n  template: catransformers\n  knobs: {clusters: [1, 2, 4], width: [32, 64, 128], depth: [2, 8, 32]}\n"
         "precision: {formats: [W8A8, W4A4], methods: [rtn]}\n"
         "objectives: [accuracy:max, latency_s:min, carbon_total_g:min]\n"
         "constraints: {area_mm2: {max: 31.990347}, tops: {max: 20.48}}\n"
         "optimizer: {name: nsga2, budget: 40, batch: 8, seed: 3}\n"
         "mapper: " + mapper + "\n" + extra;
}

TEST(ExploreSpec, ParsesKnobsObjectivesAndConstraints) {
  ExploreSpec s = parse_spec(spec_text(), "spec.yaml");
  ASSERT_EQ(s.knobs.size(), 6u);  // clusters, width, depth, keep, format, method
  EXPECT_EQ(s.knobs[3].name, "keep");
  EXPECT_EQ(s.objectives.size(), 3u);
  EXPECT_EQ(s.objectives[0].sense, Sense::Maximize);
  EXPECT_EQ(s.constraints.size(), 2u);
  const Point p{2, 1, 0, 1, 0, 0};
  EXPECT_EQ(point_key(s, p), "clusters=4;width=64;depth=2;keep=0.5;format=W8A8;method=rtn");
  EXPECT_EQ(point_of_key(s, point_key(s, p)), p);
}

TEST(ExploreSpec, BadSpecsGiveErrorsNamingFileAndLine) {
  auto fails = [](const std::string& text, const std::string& what) {
    try {
      parse_spec(text, "spec.yaml");
      ADD_FAILURE() << "no error for: " << what;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("spec.yaml"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << what << " | " << e.what();
    }
  };
  const std::string base = spec_text();
  auto sub = [&](const std::string& from, const std::string& to) {
    std::string t = base;
    return t.replace(t.find(from), from.size(), to);
  };
  fails(base + "turbo: 1\n", "unknown key 'turbo'");
  fails(sub("clusters: [1, 2, 4]", "warp: [1, 2]"), "warp");  // not a template knob
  fails(sub("constraints: {", "constraints: {latency_s: {min: 1, max: 0.5}, "), "admits nothing");
  fails(sub("carbon_total_g:min", "joy:max"), "unknown metric 'joy'");
  fails("model: x.onnx\nhardware: {template: gemmini}\nobjectives: [latency_s:min]\n", "space is empty");
  fails(sub("keep: [1, 0.5]", "keep: [1, 1.5]"), "1.5");
  // Counts, sizes and seeds are whole numbers in range (these were undefined float-to-int casts).
  fails(sub("budget: 40", "budget: 1e30"), "'budget' must be a whole number from 1 to");
  fails(sub("budget: 40", "budget: -3"), "'budget' must be a whole number");
  fails(sub("batch: 8", "batch: 2.5"), "'batch' must be a whole number");
  fails(sub("batch: 8", "batch: .nan"), "'batch' must be a whole number");
  fails(sub("seed: 3", "seed: -1"), "'seed' must be a whole number");
  fails(sub("limit: 500", "limit: 0"), "'limit' must be a whole number from 1");
  fails(sub("limit: 500", "limit: -2"), "'limit' must be a whole number from -1");
  fails(sub("calib: 64", "calib: 1e300"), "'calib' must be a whole number");
  fails(sub("samples: 300", "samples: -1"), "'samples' must be a whole number");
  EXPECT_EQ(parse_spec(sub("limit: 500", "limit: -1"), "spec.yaml").eval_limit, -1);
}

std::map<std::string, std::map<std::string, double>> contents(const std::string& db, size_t* n = nullptr) {
  Store st(db, Store::Open::existing);
  std::map<std::string, std::map<std::string, double>> m;
  for (const PointRecord& r : st.all()) {
    EXPECT_TRUE(m.emplace(r.key, r.metrics).second) << "duplicate " << r.key;
    m[r.key]["status_ok"] = r.status == "ok";
  }
  EXPECT_TRUE(st.integrity_ok());
  if (n) *n = st.size();
  return m;
}

// Runs `coda explore SPEC --db DB`, killing it after `kill_after` seconds (< 0: let it finish).
// Returns true if the run finished by itself.
bool run(const fs::path& spec, const fs::path& db, double kill_after) {
  pid_t pid = fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    const std::string bin = std::string(CODA_BINARY_DIR) + "/apps/coda/coda";
    execl(bin.c_str(), bin.c_str(), "explore", spec.c_str(), "--db", db.c_str(), "--threads", "1", (char*)nullptr);
    _exit(127);
  }
  int status = 0;
  if (kill_after >= 0) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(kill_after);
    while (std::chrono::steady_clock::now() < end) {
      if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) && WEXITSTATUS(status) == 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    kill(pid, SIGKILL);
  }
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(Explore, ResumesAfterSigkillWithTheSamePointsAsAnUninterruptedRun) {
  fs::path dir = scratch();
  fs::path spec = dir / "spec.yaml";
  // Slower mapping per point, so that kills land in the middle of the search.
  std::ofstream(spec) << spec_text("", "{samples: 4000, refine: 4000, exhaustive_limit: 2000}");
  fs::path a = dir / "whole.db", b = dir / "killed.db";
  fs::remove(a), fs::remove(b);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(run(spec, a, -1)) << "uninterrupted run failed";
  const double whole_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  size_t n_whole = 0;
  auto whole = contents(a.string(), &n_whole);
  EXPECT_EQ(n_whole, 40u);

  // Kill the second run at random moments over the first run's duration, then let it finish.
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> when(0.05, std::max(0.2, whole_s * 0.2));
  int kills = 0, finished_early = 0;
  size_t last = 0;
  for (int k = 0; k < 30; ++k) {
    if (run(spec, b, when(rng))) {
      ++finished_early;
      break;
    }
    ++kills;
    if (!fs::exists(b)) continue;  // killed before it created the database
    size_t n = 0;
    std::map<std::string, std::map<std::string, double>> partial;
    try {
      partial = contents(b.string(), &n);  // opens, integrity ok, no duplicates
    } catch (const ParseError& e) {
      // Killed between creating the file and committing the schema: an empty file or an empty SQLite
      // database, which the next run initialises.
      const std::string m = e.what();
      ASSERT_TRUE(m.find("an empty SQLite database") != std::string::npos || m.find("an empty file") != std::string::npos) << m;
      ASSERT_EQ(last, 0u) << "a database that held points became empty";
      continue;
    }
    EXPECT_GE(n, last) << "a kill lost points";
    last = n;
    for (const auto& [key, metrics] : partial) {
      auto it = whole.find(key);
      ASSERT_NE(it, whole.end()) << key << " is not a point of the uninterrupted run";
      for (const auto& [m, v] : metrics)
        if (m != "seconds") {
          EXPECT_EQ(v, it->second.at(m)) << key << " " << m;
        }
    }
  }
  if (!finished_early) {
    ASSERT_TRUE(run(spec, b, -1));
  }
  size_t n_killed = 0;
  auto killed = contents(b.string(), &n_killed);
  std::printf("[explore] uninterrupted %.1f s; %d kills, then finished: %zu points (uninterrupted %zu)\n", whole_s, kills,
              n_killed, n_whole);
  EXPECT_GE(kills, 5);
  EXPECT_EQ(killed, whole);
}

TEST(Explore, DetailOfAStoredPointReproducesItsMetrics) {
  fs::path dir = scratch();
  fs::path spec = dir / "detail.yaml";
  std::ofstream(spec) << spec_text();
  fs::path db = dir / "detail.db";
  fs::remove(db);
  ExploreOptions o;
  o.db = db.string();
  o.budget = 8;
  o.threads = 2;
  explore(load_spec(spec.string()), o);
  Store st(db.string(), Store::Open::existing);
  ExploreSpec s = spec_of_store(st);   // the spec as stored, not the file
  EXPECT_EQ(s.knobs.size(), 6u);
  PointEvaluator ev(s, 2);
  int ok = 0;
  for (const PointRecord& r : st.all()) {
    if (r.status != "ok") continue;
    ++ok;
    PointDetail d = ev.detail(point_of_key(s, r.key), 2);
    for (const auto& [m, v] : r.metrics) EXPECT_DOUBLE_EQ(d.record.metrics.at(m), v) << r.key << " " << m;
    double e = 0;
    int64_t cycles = 0;
    for (const auto& l : d.mapping.layers) e += l.result.cost.energy_pj, cycles += l.result.cost.cycles;
    EXPECT_NEAR(e * 1e-12, r.metrics.at("energy_j"), 1e-9 * r.metrics.at("energy_j"));
    EXPECT_EQ(static_cast<double>(cycles) / (d.arch.clock_mhz * 1e6), r.metrics.at("latency_s"));
    EXPECT_DOUBLE_EQ(d.carbon.total_g, r.metrics.at("carbon_total_g"));
  }
  EXPECT_GT(ok, 0);
  Store empty((dir / "empty.db").string());
  EXPECT_THROW(spec_of_store(empty), InvalidError);
}

TEST(ExploreCli, BadInputGivesOneLineErrors) {
  using coda::test::expect_one_line_error;
  using coda::test::run_coda;
  expect_one_line_error(run_coda("explore /nonexistent/spec.yaml"), "/nonexistent/spec.yaml", "cannot open");
  fs::path spec = coda::test::cli_file("spec.yaml", spec_text());
  fs::path text = coda::test::cli_file("notes.txt", "these are not a database\n");
  expect_one_line_error(run_coda("explore " + spec.string() + " --db " + text.string()), text.string(), "");
  fs::path bad = coda::test::cli_file("bad.yaml", spec_text("turbo: yes\n"));
  expect_one_line_error(run_coda("explore " + bad.string()), "bad.yaml:", "unknown key 'turbo'");
}

}  // namespace
}  // namespace coda::dse

namespace coda::dse {
namespace {

std::string vit_spec(const std::string& pruning, const std::string& precision) {
  return "model: " + std::string(CODA_SOURCE_DIR) + "/models/vit.onnx\n" +
         "accuracy: {limit: 300, calib: 32}\n" + pruning + precision +
         "hardware:\n  template: catransformers\n  knobs: {clusters: [1]}\n"
         "objectives: [accuracy:max, latency_s:min]\n"
         "optimizer: {name: grid, budget: 100, batch: 4, seed: 1}\n"
         "mapper: {samples: 200, refine: 200, exhaustive_limit: 1000}\n";
}

double accuracy_of(const ExploreSpec& s, const std::string& key) {
  PointEvaluator ev(s, 2);
  PointRecord r = ev.evaluate(point_of_key(s, key), 2);
  EXPECT_EQ(r.status, "ok") << r.reason;
  return r.metrics.at("accuracy");
}

// Precision groups: one group matching every layer is the network-wide format by another road; a
// group left in fp32 with the rest W4A4 differs from both all-fp32 and all-W4A4.
TEST(ExploreSpec, PrecisionGroupsAndHeadPruning) {
  ExploreSpec net = parse_spec(vit_spec("", "precision: {formats: [fp32, W4A4], methods: [rtn]}\n"), "net.yaml");
  ExploreSpec all = parse_spec(vit_spec("", "precision: {methods: [rtn], groups: {all: {match: /, formats: [fp32, W4A4]}}}\n"), "all.yaml");
  ASSERT_EQ(all.knobs.back().name, "format.all");
  EXPECT_EQ(accuracy_of(net, "clusters=1;format=W4A4;method=rtn"), accuracy_of(all, "clusters=1;method=rtn;format.all=W4A4"));
  EXPECT_EQ(accuracy_of(net, "clusters=1;format=fp32;method=rtn"), accuracy_of(all, "clusters=1;method=rtn;format.all=fp32"));
  ExploreSpec mixed = parse_spec(vit_spec("", "precision: {formats: [W4A4], methods: [rtn], groups: {attn: {match: /attn/, formats: [fp32]}}}\n"), "m.yaml");
  const double m = accuracy_of(mixed, "clusters=1;format=W4A4;method=rtn;format.attn=fp32");
  EXPECT_NE(m, accuracy_of(net, "clusters=1;format=W4A4;method=rtn"));
  // A group that matches nothing is a one-line error naming the spec.
  ExploreSpec none = parse_spec(vit_spec("", "precision: {groups: {x: {match: nosuchlayer, formats: [W8A8]}}}\n"), "none.yaml");
  try {
    PointEvaluator ev(none, 1);
    ADD_FAILURE() << "no error for a group matching nothing";
  } catch (const InvalidError& e) {
    EXPECT_NE(std::string(e.what()).find("none.yaml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("matches no quantizable layer"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_spec(vit_spec("", "precision: {groups: {a;b: {match: x, formats: [W8A8]}}}\n"), "s.yaml"), InvalidError);
  EXPECT_THROW(parse_spec(vit_spec("", "precision: {groups: {a: {match: x}}}\n"), "s.yaml"), InvalidError);
  EXPECT_THROW(parse_spec(vit_spec("", "precision: {groups: {a: {match: x, formats: [W9A9]}}}\n"), "s.yaml"), InvalidError);
  EXPECT_THROW(parse_spec(vit_spec("pruning: {heads: [0]}\n", ""), "s.yaml"), InvalidError);

  // Head pruning: the point's accuracy is the pruned model's, measured directly; fewer heads, fewer MACs.
  ExploreSpec heads = parse_spec(vit_spec("pruning: {heads: [1, 0.5]}\n", ""), "h.yaml");
  PointEvaluator ev(heads, 2);
  PointRecord full = ev.evaluate(point_of_key(heads, "clusters=1;heads=1"), 2);
  PointRecord half = ev.evaluate(point_of_key(heads, "clusters=1;heads=0.5"), 2);
  graph::Graph g = onnx::import_file(std::string(CODA_SOURCE_DIR) + "/models/vit.onnx");
  exec::prepare(g);
  quant::EvalOptions eo;
  eo.limit = 300;
  EXPECT_EQ(half.metrics.at("accuracy"), quant::evaluate(graph::prune_heads(g, 0.5), eo).value);
  EXPECT_EQ(full.metrics.at("accuracy"), quant::evaluate(g, eo).value);
  // Each of the 4 layers loses half of q, k, v, out (4 x 16x64x64 / 2 MACs) and half of the score and
  // context products (2 x 16x16x64 / 2).
  EXPECT_EQ(full.metrics.at("macs") - half.metrics.at("macs"), 4.0 * (4 * 16 * 64 * 64 / 2 + 2 * 16 * 16 * 64 / 2));
}

// On a template with a MAC precision (edge-npu), a point's formats set it: W4A4 runs as INT4 (2 MACs
// per PE per cycle), exactly as the same template with `precision: INT4` fixed by hand; W8A8, W4A8 and
// MXFP4 (not integer) keep INT8; a precision the spec fixes wins over the formats.
TEST(ExploreSpec, FormatsSetTheMacPrecisionOfTheTemplate) {
  auto spec = [](const std::string& fixed, const std::string& formats) {
    return parse_spec("model: " + std::string(CODA_SOURCE_DIR) + "/models/mlp.onnx\n" +
                          "hardware:\n  template: edge-npu\n  knobs: {rows: [16]}\n" + fixed +
                          "precision: {formats: [" + formats + "], methods: [rtn]}\n"
                          "objectives: [latency_s:min, energy_j:min]\n"
                          "optimizer: {name: grid, budget: 10, batch: 2, seed: 1}\n"
                          "mapper: {samples: 200, refine: 200, exhaustive_limit: 1000}\n",
                      "npu.yaml");
  };
  auto cost = [](const ExploreSpec& s, const std::string& key) {
    PointEvaluator ev(s, 2);
    PointRecord r = ev.evaluate(point_of_key(s, key), 2);
    EXPECT_EQ(r.status, "ok") << key << ": " << r.reason;
    return std::make_pair(r.metrics.at("latency_s"), r.metrics.at("energy_j"));
  };
  const ExploreSpec derived = spec("", "W8A8, W4A8, W4A4, MXFP4");
  const ExploreSpec int4 = spec("  fixed: {precision: INT4}\n", "W8A8, W4A4");
  const ExploreSpec int8 = spec("  fixed: {precision: INT8}\n", "W8A8, W4A4");
  const auto w4a4 = cost(derived, "rows=16;format=W4A4;method=rtn");
  const auto w8a8 = cost(derived, "rows=16;format=W8A8;method=rtn");
  EXPECT_EQ(w4a4, cost(int4, "rows=16;format=W8A8;method=rtn"));
  EXPECT_EQ(w8a8, cost(int8, "rows=16;format=W8A8;method=rtn"));
  EXPECT_EQ(w8a8, cost(int8, "rows=16;format=W4A4;method=rtn"));  // fixed by the spec
  EXPECT_EQ(w8a8, cost(derived, "rows=16;format=W4A8;method=rtn"));
  EXPECT_EQ(w8a8, cost(derived, "rows=16;format=MXFP4;method=rtn"));
  EXPECT_LT(w4a4.first, w8a8.first);
  EXPECT_NE(w4a4.second, w8a8.second);
}

}  // namespace
}  // namespace coda::dse
