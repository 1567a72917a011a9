// Spreading a search: shards for batch systems (`--shard I/N` + `coda merge`) and MPI ranks
// (`mpirun -n N coda explore`), each checked against a single-process run of the same spec and seed:
// the same points with the same metrics, none lost or duplicated, also after a worker rank is killed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "coda/core/error.h"
#include "coda/dse/explore.h"
#include "coda/dse/merge.h"
#include "coda/dse/space.h"
#include "coda/dse/store.h"
#include "../cli_util.h"

namespace coda::dse {
namespace {

namespace fs = std::filesystem;
using Contents = std::map<std::string, std::map<std::string, double>>;

fs::path scratch() {
  fs::path d = fs::temp_directory_path() / ("coda_dist_" + std::to_string(getpid()));
  fs::create_directories(d);
  return d;
}

std::string spec_text(const std::string& optimizer, size_t budget, const std::string& mapper = "{samples: 300, refine: 300, exhaustive_limit: 2000}") {
  return "model: " + std::string(CODA_SOURCE_DIR) + "/models/mlp.onnx\n" +
         "accuracy: {limit: 300, calib: 32}\n"
         "pruning: {keep: [1, 0.5]}\n"
         "hardware:\n  template: catransformers\n  knobs: {clusters: [1, 2], width: [32, 64, 128], depth: [2, 8, 32]}\n"
         "precision: {formats: [W8A8, W4A4], methods: [rtn]}\n"
         "objectives: [accuracy:max, latency_s:min, carbon_total_g:min]\n"
         "constraints: {area_mm2: {max: 31.990347}, tops: {max: 20.48}}\n"
         "optimizer: {name: " + optimizer + ", budget: " + std::to_string(budget) + ", batch: 6, seed: 5}\n"
         "mapper: " + mapper + "\n";
}

// Key -> metrics (without timings) and status, checking the store on the way.
Contents contents(const fs::path& db) {
  Store st(db.string(), Store::Open::existing);
  Contents m;
  for (const PointRecord& r : st.all()) {
    EXPECT_TRUE(m.emplace(r.key, r.metrics).second) << "duplicate " << r.key;
    m[r.key]["status_ok"] = r.status == "ok";
  }
  EXPECT_TRUE(st.integrity_ok());
  return m;
}

Contents single_process(const fs::path& spec, const fs::path& db, size_t* measured = nullptr) {
  fs::remove(db);
  ExploreOptions o;
  o.db = db.string();
  o.threads = 2;
  const ExploreResult r = explore(load_spec(spec.string()), o);
  if (measured) *measured = r.measured;
  return contents(db);
}

TEST(Shards, MergedShardsEqualTheWholeRun) {
  fs::path dir = scratch();
  for (const char* optimizer : {"grid", "sobol"}) {
    SCOPED_TRACE(optimizer);
    fs::path spec = dir / (std::string(optimizer) + ".yaml");
    std::ofstream(spec) << spec_text(optimizer, 40);
    const Contents whole = single_process(spec, dir / "whole.db");
    EXPECT_EQ(whole.size(), 40u);
    std::vector<std::string> shards;
    size_t sum = 0;
    for (int i = 0; i < 3; ++i) {
      shards.push_back((dir / ("shard_" + std::to_string(i) + ".db")).string());
      fs::remove(shards.back());
      ExploreOptions o;
      o.db = shards.back();
      o.threads = 1;
      o.shard_index = i, o.shard_count = 3;
      ExploreResult r = explore(load_spec(spec.string()), o);
      EXPECT_EQ(r.evaluated, i == 0 ? 14u : 13u);  // 40 proposals dealt round-robin
      sum += contents(shards.back()).size();
    }
    EXPECT_EQ(sum, 40u);
    fs::path merged = dir / "merged.db";
    fs::remove(merged);
    MergeResult m = merge_stores(merged.string(), shards);
    EXPECT_EQ(m.added, 40u);
    EXPECT_EQ(m.duplicates, 0u);
    EXPECT_EQ(contents(merged), whole);
    // Merging again adds nothing; the merged store knows its spec and objectives.
    m = merge_stores(merged.string(), shards);
    EXPECT_EQ(m.added, 0u);
    EXPECT_EQ(m.duplicates, 40u);
    Store st(merged.string(), Store::Open::existing);
    EXPECT_TRUE(st.meta("spec_yaml").has_value());
    EXPECT_FALSE(st.meta("shard").has_value());
  }
}

TEST(Shards, BadShardsAndMergesFail) {
  fs::path dir = scratch();
  fs::path spec = dir / "nsga2.yaml";
  std::ofstream(spec) << spec_text("nsga2", 12);
  ExploreOptions o;
  o.db = (dir / "x.db").string();
  o.shard_index = 0, o.shard_count = 2;
  EXPECT_THROW(explore(load_spec(spec.string()), o), InvalidError);  // adaptive: cannot be sharded
  int i = 0, n = 0;
  for (const char* bad : {"3/3", "1", "a/b", "-1/2", "0/0", "1/2/3", "/2"}) EXPECT_THROW(parse_shard(bad, i, n), InvalidError) << bad;
  parse_shard("2/5", i, n);
  EXPECT_EQ(i, 2);
  EXPECT_EQ(n, 5);
  // Stores of two different spaces do not merge, and nothing is written.
  fs::path a = dir / "a.db", b = dir / "b.db", out = dir / "ab.db";
  for (const auto& p : {a, b, out}) fs::remove(p);
  std::ofstream(dir / "a.yaml") << spec_text("grid", 4);
  std::string other = spec_text("grid", 4);
  other.replace(other.find("clusters: [1, 2]"), 16, "clusters: [1, 4]");
  std::ofstream(dir / "b.yaml") << other;
  for (const auto& [s, db] : {std::pair{dir / "a.yaml", a}, std::pair{dir / "b.yaml", b}}) {
    ExploreOptions e;
    e.db = db.string();
    e.threads = 1;
    explore(load_spec(s.string()), e);
  }
  EXPECT_THROW(merge_stores(out.string(), {a.string(), b.string()}), InvalidError);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_THROW(merge_stores(a.string(), {a.string()}), InvalidError);       // output is an input
  EXPECT_THROW(merge_stores(out.string(), {(dir / "none.db").string()}), Error);  // missing input
  using coda::test::expect_one_line_error;
  using coda::test::run_coda;
  expect_one_line_error(run_coda("merge " + out.string() + " " + a.string() + " " + b.string()), b.string(), "another design space");
  expect_one_line_error(run_coda("explore " + spec.string() + " --db " + o.db + " --shard 0/2"), spec.string(), "non-adaptive");
  expect_one_line_error(run_coda("explore " + spec.string() + " --db " + o.db + " --shard 2/2"), "--shard", "0 <= I < N");
}

// mpirun as root, more ranks than cores (ENVIRONMENT.md).
std::string mpirun(int ranks) {
  return "mpirun -n " + std::to_string(ranks) + " --oversubscribe --allow-run-as-root --mca btl self,vader ";
}

bool have_mpirun() { return std::system("command -v mpirun >/dev/null 2>&1") == 0; }

// Points in a store that may be being written (0 when it does not exist or has no schema yet).
size_t stored(const fs::path& db) {
  if (!fs::exists(db)) return 0;
  try {
    return Store(db.string(), Store::Open::existing).size();
  } catch (const Error&) {
    return 0;
  }
}

// Runs `mpirun -n RANKS coda explore SPEC --db DB --threads 1`; kills the worker rank 1 once
// kill_after seconds have passed and the store holds more than `after_points` points (kill_after < 0:
// never). Returns true when the run finished by itself with status 0. With `json`, the run prints
// --json to it.
bool run_mpi(int ranks, const fs::path& spec, const fs::path& db, double kill_after, std::string* err = nullptr,
             size_t after_points = 0, nlohmann::json* json = nullptr) {
  const fs::path errf = scratch() / "mpi.err", outf = scratch() / "mpi.out";
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    // Under ASan, leak checking is off for the ranks: the MPI runtime unloads its plugins with blocks
    // still allocated, which LeakSanitizer reports from unnamed modules that no suppression can match.
    const char* asan = std::getenv("ASAN_OPTIONS");
    const std::string env = "ASAN_OPTIONS='" + std::string(asan ? asan : "") + ":detect_leaks=0' ";
    const std::string cmd = env + mpirun(ranks) + std::string(CODA_BINARY_DIR) + "/apps/coda/coda explore " + spec.string() +
                            " --db " + db.string() + " --threads 1" + (json ? " --json >" + outf.string() : " >/dev/null") +
                            " 2>" + errf.string();
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  if (kill_after >= 0) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(kill_after);
    while (std::chrono::steady_clock::now() < end || stored(db) <= after_points) {
      if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) && WEXITSTATUS(status) == 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // Find rank 1 among the processes: its environment names its rank.
    for (const auto& e : fs::directory_iterator("/proc")) {
      const std::string name = e.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      const std::string env = coda::test::slurp(e.path() / "environ");
      const std::string cmdline = coda::test::slurp(e.path() / "cmdline");
      if (env.find(std::string("OMPI_COMM_WORLD_RANK=1") + '\0') != std::string::npos && cmdline.find(db.string()) != std::string::npos)
        kill(std::stoi(name), SIGKILL);
    }
  }
  waitpid(pid, &status, 0);
  if (err) *err = coda::test::slurp(errf);
  if (json) *json = nlohmann::json::parse(coda::test::slurp(outf), nullptr, /*allow_exceptions=*/false);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(Mpi, RanksStoreTheSamePointsAsOneProcess) {
  if (!have_mpirun()) GTEST_SKIP() << "no mpirun";
  fs::path dir = scratch();
  fs::path spec = dir / "mpi.yaml";
  std::ofstream(spec) << spec_text("nsga2", 30);
  size_t needed = 0;  // accuracy variants the search needs, each measured once
  const Contents whole = single_process(spec, dir / "one.db", &needed);
  ASSERT_EQ(whole.size(), 30u);
  EXPECT_GE(needed, 2u);
  for (int ranks : {2, 3}) {
    fs::path db = dir / ("ranks" + std::to_string(ranks) + ".db");
    fs::remove(db);
    std::string err;
    nlohmann::json j;
    ASSERT_TRUE(run_mpi(ranks, spec, db, -1, &err, 0, &j)) << err;
    EXPECT_EQ(contents(db), whole) << ranks << " ranks";
    Store st(db.string(), Store::Open::existing);
    EXPECT_EQ(st.size(), 30u);
    // No variant is measured twice over the ranks, and none that no point needed.
    ASSERT_TRUE(j.is_object()) << "no --json output";
    EXPECT_EQ(j.value("accuracies_measured", size_t{0}), needed) << ranks << " ranks";
    EXPECT_GT(j.value("busy", 0.0), 0.0);
    EXPECT_LE(j.value("busy", 2.0), 1.0);
  }
}

// A worker rank killed at a random moment takes the job down (mpirun aborts it); rerunning resumes,
// and the run ends with the single-process points, none lost or duplicated.
TEST(Mpi, KilledWorkerRankLosesNothing) {
  if (!have_mpirun()) GTEST_SKIP() << "no mpirun";
  fs::path dir = scratch();
  fs::path spec = dir / "kill.yaml";
  // Slower mapping per point, so that kills land in the middle of the search (with 4000 samples the
  // uninterrupted run took 1.3 s once accuracy measurement got faster, and a run could finish after
  // only 2 kills).
  std::ofstream(spec) << spec_text("nsga2", 48, "{samples: 12000, refine: 12000, exhaustive_limit: 2000}");
  const Contents whole = single_process(spec, dir / "one_k.db");
  fs::path ref = dir / "ref.db";
  fs::remove(ref);
  const auto t0 = std::chrono::steady_clock::now();
  std::string err;
  ASSERT_TRUE(run_mpi(2, spec, ref, -1, &err)) << err;
  const double whole_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fs::path db = dir / "killed.db";
  fs::remove(db);
  std::mt19937 rng(7);
  // Each run is killed at a random moment after it has stored a batch of its own, so every kill lands
  // in the middle of a search that is making progress (8 batches of 6 points).
  std::uniform_real_distribution<double> when(0.02, std::max(0.2, 0.15 * whole_s));
  int kills = 0;
  size_t last = 0;
  for (int k = 0; k < 8; ++k) {
    if (run_mpi(2, spec, db, when(rng), nullptr, stored(db))) break;
    ++kills;
    if (!fs::exists(db)) continue;
    Contents part;
    try {
      part = contents(db);
    } catch (const ParseError&) {  // killed before the schema was committed
      continue;
    }
    EXPECT_GE(part.size(), last) << "a kill lost points";
    last = part.size();
    for (const auto& [key, m] : part) {
      auto it = whole.find(key);
      ASSERT_NE(it, whole.end()) << key << " is not a point of the single-process run";
      EXPECT_EQ(m, it->second) << key;
    }
  }
  ASSERT_TRUE(run_mpi(2, spec, db, -1, &err)) << err;
  std::printf("[mpi] uninterrupted 2-rank run %.1f s; %d worker kills, then finished: %zu points\n", whole_s, kills, contents(db).size());
  EXPECT_GE(kills, 3);
  EXPECT_EQ(contents(db), whole);
}

}  // namespace
}  // namespace coda::dse
