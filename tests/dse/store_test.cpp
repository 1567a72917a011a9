// The results store: every field round-trips exactly, a stored key is never overwritten or duplicated,
// files that are not coda stores are refused cleanly, and a writer SIGKILLed at random moments leaves a
// store that opens, passes integrity_check and holds exactly the points whose put() returned.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "coda/core/error.h"
#include "coda/dse/store.h"

#define CODA_STORE_WRITER_NO_MAIN
#include "store_writer.cpp"

namespace fs = std::filesystem;
using coda::dse::MetricObjective;
using coda::dse::PointRecord;
using coda::dse::Sense;
using coda::dse::Store;
using coda::testing::writer_point;

namespace {

// The scratch files go when the test process ends.
struct RemoveScratch {
  ~RemoveScratch() {
    std::error_code ec;
    fs::remove_all(fs::temp_directory_path() / ("coda_store_" + std::to_string(getpid())), ec);
  }
} remove_scratch;

fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("coda_store_" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path p = dir / name;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(p.string() + suffix);
  return p;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs SQL on a file with SQLite directly (to build foreign databases and inspect stores).
void raw_exec(const fs::path& p, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(p.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

std::string raw_text(const fs::path& p, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(p.c_str(), &db);
  sqlite3_stmt* s = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(s, 0);
    out = t ? reinterpret_cast<const char*>(t) : "";
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

void expect_same(const PointRecord& got, const PointRecord& want) {
  EXPECT_EQ(got.key, want.key);
  EXPECT_EQ(got.config_json, want.config_json) << want.key;
  EXPECT_EQ(got.status, want.status) << want.key;
  EXPECT_EQ(got.reason, want.reason) << want.key;
  EXPECT_EQ(got.seconds, want.seconds) << want.key;  // bit-exact, not near
  ASSERT_EQ(got.metrics.size(), want.metrics.size()) << want.key;
  for (const auto& [name, v] : want.metrics) {
    ASSERT_TRUE(got.metrics.count(name)) << want.key << " lacks " << name;
    double g = got.metrics.at(name);
    if (std::isnan(v)) EXPECT_TRUE(std::isnan(g)) << want.key << " " << name;
    else EXPECT_EQ(g, v) << want.key << " " << name;
  }
}

template <class E>
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("wrong exception type: ") + e.what();
  }
  return "no exception";
}

PointRecord rich_point() {
  PointRecord p;
  p.key = "hw:dim=32&sp_kib=512|prec:W4A8|prune:heads=2 \xce\xbb \"quoted\"";
  p.config_json = "{\"dim\":32,\"note\":\"caf\xc3\xa9, \\\"x\\\"\",\"sp_kib\":512}";
  p.metrics = {{"accuracy", 0.912345678901234567},
               {"latency_s", 1.0 / 3.0},
               {"energy_j", 6.02214076e-23},
               {"area_mm2", 1e308},
               {"tiny", 4.9406564584124654e-324},   // the smallest denormal
               {"neg", -12345.678},
               {"whole", 42.0},                     // SQLite may store it as an integer on disk
               {"huge_int", 9007199254740993.0},    // 2^53 + 1 rounds to 2^53: still one exact double
               {"inf", std::numeric_limits<double>::infinity()},
               {"nan", std::numeric_limits<double>::quiet_NaN()}};
  p.status = "ok";
  p.reason = "";
  p.seconds = 12.625000000000002;
  return p;
}

TEST(StoreTest, RoundTripsEveryField) {
  fs::path f = scratch("roundtrip.db");
  PointRecord p = rich_point();
  PointRecord q;
  q.key = "second";
  q.config_json = "{}";
  q.status = "infeasible";
  q.reason = "layer /conv1/Conv: no mapping fits (weights tile 4096 words > 2048-word buffer)\nsecond line";
  q.seconds = 0.5;
  {
    Store db(f.string());
    EXPECT_TRUE(db.put(p));
    EXPECT_TRUE(db.put(q));
    auto got = db.get(p.key);
    ASSERT_TRUE(got);
    expect_same(*got, p);
    EXPECT_EQ(got->seq, 1);
    EXPECT_FALSE(db.get("absent"));
    EXPECT_FALSE(db.contains("absent"));
    EXPECT_TRUE(db.contains(q.key));
  }
  Store db(f.string(), Store::Open::existing);  // after a close and reopen, from the file
  auto all = db.all();
  ASSERT_EQ(all.size(), 2u);
  expect_same(all[0], p);
  expect_same(all[1], q);
  EXPECT_EQ(all[0].seq, 1);
  EXPECT_EQ(all[1].seq, 2);
  expect_same(*db.get(q.key), q);
  EXPECT_TRUE(db.integrity_ok());
  EXPECT_FALSE(db.read_only());
  EXPECT_EQ(db.path(), f.string());
}

TEST(StoreTest, PutOfAStoredKeyReturnsFalseAndChangesNothing) {
  Store db(scratch("dup.db").string());
  PointRecord p = rich_point();
  ASSERT_TRUE(db.put(p));
  PointRecord changed = p;
  changed.config_json = "{\"other\":1}";
  changed.metrics = {{"accuracy", 0.1}};
  changed.status = "error";
  changed.reason = "different";
  changed.seconds = 99;
  EXPECT_FALSE(db.put(changed));
  EXPECT_EQ(db.put_many({changed, writer_point(1), writer_point(1)}), 1u);  // one new; the batch's repeat ignored
  EXPECT_EQ(db.size(), 2u);
  expect_same(*db.get(p.key), p);
  expect_same(*db.get(writer_point(1).key), writer_point(1));
  EXPECT_EQ(db.keys(), (std::vector<std::string>{p.key, writer_point(1).key}));
}

TEST(StoreTest, InvalidRecordsStoreNothing) {
  Store db(scratch("invalid.db").string());
  PointRecord bad = writer_point(3);
  bad.status = "maybe";
  EXPECT_NE(error_of<coda::InvalidError>([&] { db.put(bad); }).find("status 'maybe'"), std::string::npos);
  PointRecord nokey = writer_point(4);
  nokey.key.clear();
  EXPECT_NE(error_of<coda::InvalidError>([&] { db.put(nokey); }).find("non-empty key"), std::string::npos);
  // A batch with one bad record stores none of it.
  EXPECT_NE(error_of<coda::InvalidError>([&] { db.put_many({writer_point(1), writer_point(2), bad}); }),
            "no exception");
  EXPECT_EQ(db.size(), 0u);
  EXPECT_EQ(db.put_many({}), 0u);
}

TEST(StoreTest, SizeAndAllFollowInsertionOrder) {
  Store db(scratch("order.db").string());
  std::vector<std::string> keys = {"zeta", "alpha", "mid", "0", "beta"};
  for (const std::string& k : keys) {
    PointRecord p;
    p.key = k;
    p.config_json = "{\"k\":\"" + k + "\"}";
    p.metrics = {{"m", static_cast<double>(k.size())}};
    ASSERT_TRUE(db.put(p));
  }
  std::vector<PointRecord> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(writer_point(100 - i));
  EXPECT_EQ(db.put_many(batch), 5u);
  EXPECT_EQ(db.size(), 10u);
  auto all = db.all();
  ASSERT_EQ(all.size(), 10u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].seq, static_cast<int64_t>(i + 1));
    if (i < 5) {
      EXPECT_EQ(all[i].key, keys[i]);
      EXPECT_EQ(all[i].metrics.at("m"), static_cast<double>(keys[i].size()));
    } else {
      expect_same(all[i], writer_point(100 - static_cast<int>(i - 5)));
    }
  }
  std::vector<std::string> ks = db.keys();
  ASSERT_EQ(ks.size(), 10u);
  for (size_t i = 0; i < ks.size(); ++i) EXPECT_EQ(ks[i], all[i].key);
}

TEST(StoreTest, Meta) {
  fs::path f = scratch("meta.db");
  {
    Store db(f.string());
    EXPECT_FALSE(db.meta("spec"));
    db.set_meta("objectives", "accuracy:max,latency_s:min");
    db.set_meta("spec", "model: models/vit.onnx\n");
    db.set_meta("spec", "model: zoo:bert-base\n");  // replaced
    db.set_meta("empty", "");
  }
  Store db(f.string(), Store::Open::existing);
  EXPECT_EQ(db.meta("objectives"), "accuracy:max,latency_s:min");
  EXPECT_EQ(db.meta("spec"), "model: zoo:bert-base\n");
  EXPECT_EQ(db.meta("empty"), "");
  EXPECT_FALSE(db.meta("other"));
  EXPECT_EQ(db.all_meta().size(), 3u);
  EXPECT_EQ(db.size(), 0u);
}

TEST(StoreTest, FileIsAWalStoreWithItsApplicationIdAndVersion) {
  fs::path f = scratch("header.db");
  { Store db(f.string()); }
  EXPECT_EQ(raw_text(f, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw_text(f, "PRAGMA application_id"), std::to_string(Store::kApplicationId));
  EXPECT_EQ(raw_text(f, "PRAGMA user_version"), "1");
  std::string bytes = slurp(f);
  ASSERT_GE(bytes.size(), 100u);
  EXPECT_EQ(bytes[18], 2);  // WAL: file format read/write versions are 2
  EXPECT_EQ(bytes.substr(68, 4), "coda");  // application id, big-endian
}

TEST(StoreTest, RefusesFilesThatAreNotStores) {
  // Random bytes, a text file, an empty file (to Open::existing), a foreign SQLite database, a store
  // of a newer schema: ParseError naming the file, and the file is left as it was.
  std::string junk;
  for (int i = 0; i < 5000; ++i) junk.push_back(static_cast<char>((i * 7919 + 13) % 256));
  fs::path bin = scratch("junk.db"), txt = scratch("notes.txt"), empty = scratch("empty.db");
  std::ofstream(bin, std::ios::binary) << junk;
  std::ofstream(txt) << "key,status\nabc,ok\n";
  std::ofstream(empty).flush();
  for (const fs::path& f : {bin, txt}) {
    std::string before = slurp(f);
    for (Store::Open mode : {Store::Open::create, Store::Open::existing}) {
      std::string e = error_of<coda::ParseError>([&] { Store db(f.string(), mode); });
      EXPECT_EQ(e, f.string() + ": not a coda results database (not an SQLite file)");
    }
    EXPECT_EQ(slurp(f), before);
    EXPECT_FALSE(fs::exists(f.string() + "-wal"));
  }
  EXPECT_EQ(error_of<coda::ParseError>([&] { Store db(empty.string(), Store::Open::existing); }),
            empty.string() + ": not a coda results database (an empty file)");

  fs::path foreign = scratch("foreign.db");
  raw_exec(foreign, "CREATE TABLE points(x); INSERT INTO points VALUES (1);");
  std::string before = slurp(foreign);
  for (Store::Open mode : {Store::Open::create, Store::Open::existing})
    EXPECT_EQ(error_of<coda::ParseError>([&] { Store db(foreign.string(), mode); }),
              foreign.string() + ": not a coda results database (an SQLite database of another application)");
  EXPECT_EQ(slurp(foreign), before);
  EXPECT_EQ(raw_text(foreign, "PRAGMA journal_mode"), "delete");  // not switched to WAL

  fs::path empty_sqlite = scratch("empty_sqlite.db");
  raw_exec(empty_sqlite, "CREATE TABLE t(x); DROP TABLE t;");
  EXPECT_NE(error_of<coda::ParseError>([&] { Store db(empty_sqlite.string(), Store::Open::existing); })
                .find("an empty SQLite database"),
            std::string::npos);

  fs::path newer = scratch("newer.db");
  { Store db(newer.string()); }
  raw_exec(newer, "PRAGMA user_version=2;");
  EXPECT_EQ(error_of<coda::ParseError>([&] { Store db(newer.string()); }),
            newer.string() + ": results database schema version 2 is newer than this coda reads (1); use a newer coda");

  fs::path corrupt = scratch("corrupt.db");
  {
    Store db(corrupt.string());
    std::vector<PointRecord> ps;
    for (int i = 0; i < 200; ++i) ps.push_back(writer_point(i));
    db.put_many(ps);
  }
  std::string bytes = slurp(corrupt);
  ASSERT_GT(bytes.size(), 8192u);
  for (size_t i = 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 31);  // keep page 1 (the header)
  std::ofstream(corrupt, std::ios::binary | std::ios::trunc) << bytes;
  std::string e = error_of<coda::Error>([&] {
    Store db(corrupt.string(), Store::Open::existing);
    db.all();
  });
  EXPECT_EQ(e.rfind(corrupt.string() + ": ", 0), 0u) << e;
}

TEST(StoreTest, MissingFilesAndDirectoriesAreIoErrors) {
  fs::path missing = scratch("missing.db");
  EXPECT_EQ(error_of<coda::IoError>([&] { Store db(missing.string(), Store::Open::existing); }),
            missing.string() + ": cannot open database: No such file or directory");
  EXPECT_FALSE(fs::exists(missing));  // Open::existing never creates
  std::string nodir = (missing.parent_path() / "no" / "such" / "dir.db").string();
  EXPECT_EQ(error_of<coda::IoError>([&] { Store db(nodir); }).rfind(nodir + ": cannot open database", 0), 0u);
  std::string dir = missing.parent_path().string();
  EXPECT_EQ(error_of<coda::IoError>([&] { Store db(dir); }), dir + ": cannot open database: is a directory");
}

TEST(StoreTest, TwoConnectionsAndThreadsShareAFile) {
  fs::path f = scratch("shared.db");
  Store a(f.string()), b(f.string());
  a.set_meta("objectives", "accuracy:max");
  EXPECT_EQ(b.meta("objectives"), "accuracy:max");
  std::vector<std::thread> threads;
  std::atomic<int> added{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      Store& db = t % 2 ? a : b;
      for (int i = 0; i < 60; ++i) added += db.put(writer_point((i * 7 + t * 13) % 100));  // overlapping keys
    });
  for (auto& t : threads) t.join();
  std::set<int> expected;
  for (int t = 0; t < 4; ++t)
    for (int i = 0; i < 60; ++i) expected.insert((i * 7 + t * 13) % 100);
  EXPECT_EQ(static_cast<size_t>(added.load()), expected.size());
  EXPECT_EQ(a.size(), expected.size());
  for (int i : expected) expect_same(*b.get(writer_point(i).key), writer_point(i));
  EXPECT_TRUE(a.integrity_ok());
}

TEST(StoreObjectives, ParseAndFormat) {
  auto o = coda::dse::parse_objectives(" accuracy:max , latency_s:min,carbon_total_g:minimize ", "--objectives");
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o[0].metric, "accuracy");
  EXPECT_EQ(o[0].sense, Sense::Maximize);
  EXPECT_EQ(o[1].metric, "latency_s");
  EXPECT_EQ(o[1].sense, Sense::Minimize);
  EXPECT_EQ(o[2].sense, Sense::Minimize);
  EXPECT_EQ(coda::dse::format_objectives(o), "accuracy:max,latency_s:min,carbon_total_g:min");
  for (const char* bad : {"", " ", "accuracy", "accuracy:up", ":max", "accuracy:max,", "a:max,,b:min", "a:max,a:min"})
    EXPECT_EQ(error_of<coda::InvalidError>([&] { coda::dse::parse_objectives(bad, "--objectives"); })
                  .rfind("--objectives: ", 0),
              0u)
        << "'" << bad << "'";
}

TEST(StorePareto, KeepsTheOkNonDominatedPoints) {
  // accuracy:max, latency_s:min. Checked against brute-force dominance.
  std::vector<PointRecord> pts;
  auto add = [&](const std::string& k, double acc, double lat, const std::string& status = "ok") {
    PointRecord p;
    p.key = k;
    p.status = status;
    if (!std::isnan(acc)) p.metrics["accuracy"] = acc;
    p.metrics["latency_s"] = lat;
    p.seq = static_cast<int64_t>(pts.size() + 1);
    pts.push_back(p);
  };
  add("a", 0.90, 3.0);
  add("b", 0.85, 1.0);
  add("c", 0.80, 2.0);   // dominated by b
  add("d", 0.95, 5.0);
  add("e", 0.99, 0.5, "infeasible");  // would dominate all, but is not ok
  add("f", std::nan(""), 0.1);        // lacks accuracy
  add("g", 0.90, 3.0);   // equal to a: both stay
  add("h", 0.94, 5.0);   // dominated by d
  std::vector<MetricObjective> obj = {{"accuracy", Sense::Maximize}, {"latency_s", Sense::Minimize}};
  size_t skipped = 0;
  auto front = coda::dse::pareto_points(pts, obj, &skipped);
  std::vector<std::string> keys;
  for (const auto& p : front) keys.push_back(p.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "d", "g"}));
  EXPECT_EQ(skipped, 1u);
  // Brute force over the ok, complete points.
  for (const auto& p : pts) {
    if (p.status != "ok" || !p.metrics.count("accuracy")) continue;
    bool dominated = false;
    for (const auto& q : pts) {
      if (q.status != "ok" || !q.metrics.count("accuracy")) continue;
      double pa = p.metrics.at("accuracy"), qa = q.metrics.at("accuracy");
      double pl = p.metrics.at("latency_s"), ql = q.metrics.at("latency_s");
      dominated |= qa >= pa && ql <= pl && (qa > pa || ql < pl);
    }
    EXPECT_EQ(std::count(keys.begin(), keys.end(), p.key), dominated ? 0 : 1) << p.key;
  }
}

// ---- crash safety: a real writer process, SIGKILLed at random moments ----

std::string writer_binary() { return std::string(CODA_BINARY_DIR) + "/tests/store_writer"; }

pid_t start_writer(const fs::path& db, int n, const fs::path& out, bool shared = false) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0 || dup2(fd, 1) < 0) _exit(120);
    std::string bin = writer_binary(), nstr = std::to_string(n);
    if (shared) execl(bin.c_str(), bin.c_str(), db.c_str(), nstr.c_str(), "shared", static_cast<char*>(nullptr));
    else execl(bin.c_str(), bin.c_str(), db.c_str(), nstr.c_str(), static_cast<char*>(nullptr));
    _exit(121);
  }
  return pid;
}

std::set<int> reported_indices(const fs::path& out) {
  std::set<int> s;
  std::ifstream in(out);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) s.insert(std::stoi(line));
  return s;
}

// What a kill left, read with SQLite directly and without checkpointing on close, so the next writer
// run recovers the WAL exactly as the kill left it.
size_t count_lines(const fs::path& out) {
  std::string s = slurp(out);
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

// True once the child has exited (without reaping it: waitpid below collects the status).
bool exited(pid_t pid) {
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

struct RawState {
  bool exists = false, schema = false, integrity = false;
  std::vector<std::string> keys;   // in seq order
  std::vector<int64_t> seqs;
};

RawState raw_state(const fs::path& p) {
  RawState st;
  st.exists = fs::exists(p);
  if (!st.exists) return st;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(p.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return st;
  }
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr) == SQLITE_OK) {
    std::vector<std::string> rows;
    while (sqlite3_step(s) == SQLITE_ROW) rows.push_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
    st.integrity = rows == std::vector<std::string>{"ok"};
  }
  sqlite3_finalize(s);
  if (sqlite3_prepare_v2(db, "SELECT seq, key FROM points ORDER BY seq", -1, &s, nullptr) == SQLITE_OK) {
    st.schema = true;
    while (sqlite3_step(s) == SQLITE_ROW) {
      st.seqs.push_back(sqlite3_column_int64(s, 0));
      st.keys.push_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 1)));
    }
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return st;
}

TEST(StoreCrash, SigkillAtRandomMomentsLosesAndDuplicatesNothing) {
  const int n = 1200, kills_wanted = 50;
  fs::path f = scratch("crash.db"), out = scratch("crash.out");
  fs::remove(out);
  std::map<std::string, int> index_of;
  for (int i = 0; i < n; ++i) index_of[writer_point(i).key] = i;
  std::mt19937_64 rng(20240611);
  int kills = 0, kills_mid_run = 0, kills_while_writing = 0, runs = 0;
  size_t last_count = 0;
  size_t last_unreported = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    ASSERT_LT(runs, 400) << "the writer makes no progress";
    ++runs;
    pid_t pid = start_writer(f, n, out);
    ASSERT_GT(pid, 0);
    int status = 0;
    if (kills < kills_wanted) {
      // A quarter of the kills land in start-up, open and WAL recovery (0-4 ms after the start); the
      // others once the run has stored 1-16 more points, 0-1 ms later: anywhere in a put or a put_many.
      // Progress, not time, sets the moment, so a fast or a slow disk gives the same kind of run.
      if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) {
        std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 4000)(rng)));
      } else {
        size_t target = count_lines(out) + std::uniform_int_distribution<size_t>(1, 16)(rng);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (count_lines(out) < target && std::chrono::steady_clock::now() < deadline && !exited(pid))
          std::this_thread::sleep_for(std::chrono::microseconds(100));
        std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 1000)(rng)));
      }
      kill(pid, SIGKILL);
    }
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    ASSERT_TRUE(killed || (WIFEXITED(status) && WEXITSTATUS(status) == 0)) << "writer failed, status " << status;

    // What the kill left: a database that opens and passes integrity_check, whose points are exactly
    // 0..k-1 (the writer goes in order; a batch is all or nothing), with every put that returned.
    std::set<int> reported = reported_indices(out);
    RawState st = raw_state(f);
    if (!st.schema) {  // killed before the schema was committed: nothing can have been reported
      EXPECT_TRUE(reported.empty());
      if (st.exists) {
        EXPECT_TRUE(st.integrity);
      }
      kills += killed;
      continue;
    }
    ASSERT_TRUE(st.integrity) << "after run " << runs;
    size_t k = st.keys.size();
    ASSERT_GE(k, last_count) << "points were lost";
    bool wrote = k > last_count;
    last_count = k;
    for (size_t j = 0; j < k; ++j) {
      ASSERT_EQ(st.keys[j], writer_point(static_cast<int>(j)).key) << "stored points are not 0.." << k - 1;
      ASSERT_EQ(st.seqs[j], static_cast<int64_t>(j + 1));  // no gaps, no duplicates
    }
    for (int i : reported) ASSERT_LT(static_cast<size_t>(i), k) << "point " << i << " was reported stored but is lost";
    // A run leaves at most one transaction (a point, or a block of 8) stored but not reported.
    size_t unreported = k - reported.size();
    ASSERT_LE(unreported - last_unreported, static_cast<size_t>(coda::testing::kWriterBlock)) << "more than in flight";
    last_unreported = unreported;
    if (killed) {
      ++kills;
      kills_mid_run += k < static_cast<size_t>(n);
      kills_while_writing += wrote;
      if (std::getenv("CODA_CRASH_TRACE")) std::printf("kill %d: %zu points\n", kills, k);
      // A batch (odd blocks) is all or nothing.
      size_t block = k / coda::testing::kWriterBlock;
      if (k % coda::testing::kWriterBlock != 0) {
        EXPECT_EQ(block % 2, 0u) << "a put_many was half-written: " << k;
      }
      // Every few kills, read through the Store as well (this also checkpoints the WAL on close).
      if (kills % 5 == 0) {
        Store db(f.string(), Store::Open::existing);
        auto all = db.all();
        ASSERT_EQ(all.size(), k);
        for (const PointRecord& p : all) expect_same(p, writer_point(index_of.at(p.key)));
      }
      continue;
    }
    break;  // exited 0: finished
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Store db(f.string(), Store::Open::existing);
  EXPECT_TRUE(db.integrity_ok());
  auto all = db.all();
  ASSERT_EQ(all.size(), static_cast<size_t>(n));
  std::set<std::string> keys;
  for (size_t i = 0; i < all.size(); ++i) {
    expect_same(all[i], writer_point(static_cast<int>(i)));
    EXPECT_EQ(all[i].seq, static_cast<int64_t>(i + 1));
    keys.insert(all[i].key);
  }
  EXPECT_EQ(keys.size(), static_cast<size_t>(n));
  EXPECT_EQ(reported_indices(out).size() + last_unreported, static_cast<size_t>(n));
  EXPECT_EQ(db.meta("objectives"), "accuracy:max,latency_s:min");
  EXPECT_GE(kills, 20);
  EXPECT_GE(kills_mid_run, 20) << "the kills must land while points are being written";
  EXPECT_GE(kills_while_writing, 10) << "too few kills landed after the first put of a run";
  std::printf("[ crash    ] %d kills (%d before the end, %d after the run stored points) over %d runs, %d points, %.1f s\n",
              kills, kills_mid_run, kills_while_writing, runs, n, seconds);
}

// `writers` processes and this reader open a new file at the same moment (all may try to create the
// schema), the writers fill it with points 0..n-1 while the reader polls it.
void shared_writers(const std::string& name, int n, int writers) {
  fs::path f = scratch(name), out = scratch(name + ".out");
  fs::remove(out);
  std::vector<pid_t> pids;
  for (int w = 0; w < writers; ++w) pids.push_back(start_writer(f, n, out, true));
  Store reader(f.string());
  std::vector<int> status(pids.size(), -1);
  size_t seen = 0, running = pids.size();
  while (running > 0) {
    size_t now = reader.size();  // readers never block in WAL mode
    EXPECT_GE(now, seen);
    seen = now;
    for (size_t w = 0; w < pids.size(); ++w) {
      int st = 0;
      if (status[w] < 0 && waitpid(pids[w], &st, WNOHANG) == pids[w]) {
        status[w] = st;
        --running;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (int st : status) EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << name << ": writer status " << st;
  auto all = reader.all();
  ASSERT_EQ(all.size(), static_cast<size_t>(n)) << name;
  std::set<std::string> keys;
  std::map<std::string, int> index_of;
  for (int i = 0; i < n; ++i) index_of[writer_point(i).key] = i;
  for (const PointRecord& p : all) {
    keys.insert(p.key);
    expect_same(p, writer_point(index_of.at(p.key)));
  }
  EXPECT_EQ(keys.size(), static_cast<size_t>(n));
  EXPECT_TRUE(reader.integrity_ok());
}

TEST(StoreConcurrency, WriterProcessesAndAReaderShareAFile) {
  shared_writers("two.db", 300, 2);
  // Creation races: small stores, four writers each.
  for (int round = 0; round < 16; ++round) shared_writers("race" + std::to_string(round) + ".db", 24, 4);
}

}  // namespace
