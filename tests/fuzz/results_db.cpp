// Fuzz target results_db: a results database opened as `coda results DB [--pareto] [--objectives ..]`
// does: dse::Store with Open::existing, meta("objectives") or a given objectives text through
// parse_objectives, all(), pareto_points and the sort by the first objective; plus keys(), get(),
// all_meta() and integrity_ok().
//
// Two input forms:
//  - bytes starting with SQLite's magic "SQLite format 3\0": the database file itself;
//  - anything else: a list of edits applied with SQLite to a valid store (results_store_seed.h), so
//    that the fuzzer reaches coda's reading code with odd contents (values of every SQLite type in
//    every column, missing or extra tables and columns, other schema versions, odd objectives)
//    instead of stopping at SQLite's header checks. The first byte sets the `coda results` flags.
#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "coda/dse/store.h"
#include "fuzz_util.h"
#include "results_store_seed.h"

namespace {

const std::string& template_bytes() {
  static const std::string bytes = [] {
    const fuzz::Scratch& scratch = fuzz::Scratch::get();
    scratch.clear();
    std::string path = (scratch.dir() / "template.db").string();
    fuzz::make_results_store(path);
    std::ifstream f(path, std::ios::binary);
    std::string b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    scratch.clear();
    return b;
  }();
  return bytes;
}

const char* const kTexts[] = {"ok", "infeasible", "error", "accuracy", "latency_s", "area_mm2", "objectives",
                              "accuracy:max,latency_s:min", "accuracy:max", "latency_s:min,accuracy:max,area_mm2:min",
                              "", "width=32", "{\"width\": \"32\"}", "{", "nan", "[1,2]", "accuracy:up"};
const char* const kStatements[] = {
    "PRAGMA ignore_check_constraints=ON",
    "PRAGMA user_version=0",
    "PRAGMA user_version=2",
    "PRAGMA user_version=-1",
    "PRAGMA application_id=0",
    "PRAGMA application_id=1",
    "DROP TABLE metrics",
    "DROP TABLE points",
    "DROP TABLE meta",
    "CREATE TABLE IF NOT EXISTS metrics(seq, name, value)",
    "CREATE TABLE IF NOT EXISTS points(seq INTEGER PRIMARY KEY, key, status, reason, seconds, config)",
    "CREATE TABLE IF NOT EXISTS points(seq, key)",
    "CREATE TABLE IF NOT EXISTS meta(key, value)",
    "CREATE VIEW IF NOT EXISTS points AS SELECT 1 AS seq, 'k' AS key",
    "ALTER TABLE points ADD COLUMN extra",
    "ALTER TABLE metrics RENAME TO metrics_old",
    "DELETE FROM points",
    "DELETE FROM meta",
    "DELETE FROM metrics",
    "UPDATE metrics SET seq = seq + 1",
    "UPDATE points SET seq = -seq",
    "PRAGMA journal_mode=DELETE",
    "VACUUM",
    "CREATE INDEX IF NOT EXISTS fuzz_i ON metrics(value)",
    "INSERT INTO points SELECT seq + 100, key || 'x', status, reason, seconds, config FROM points",
    "INSERT OR REPLACE INTO metrics SELECT seq, name || 'x', value FROM metrics",
};
const char* const kColumns[] = {"seq", "key", "status", "reason", "seconds", "config"};

void bind_value(sqlite3_stmt* s, int i, fuzz::Input& in) {
  switch (in.byte() % 6) {
    case 0: sqlite3_bind_null(s, i); break;
    case 1: sqlite3_bind_int64(s, i, in.small_int(-4, 16)); break;
    case 2: sqlite3_bind_double(s, i, static_cast<double>(in.real())); break;
    case 3: sqlite3_bind_text(s, i, in.pick(kTexts), -1, SQLITE_STATIC); break;
    case 4: {
      std::string t = in.string(24);
      sqlite3_bind_text(s, i, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
      break;
    }
    default: {
      std::string b = in.bytes(in.range<size_t>(0, 16));
      sqlite3_bind_blob(s, i, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
      break;
    }
  }
}

void run(sqlite3* db, const std::string& sql, fuzz::Input& in, int params) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) return;
  for (int i = 1; i <= params; ++i) bind_value(s, i, in);
  while (sqlite3_step(s) == SQLITE_ROW) {
  }
  sqlite3_finalize(s);
}

void edit(const std::string& path, fuzz::Input& in) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) std::abort();
  sqlite3_exec(db, "PRAGMA synchronous=OFF", nullptr, nullptr, nullptr);
  for (int k = 0; k < 16 && !in.empty(); ++k) {
    switch (in.byte() % 6) {
      case 0: run(db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", in, 2); break;
      case 1: run(db, "INSERT INTO points(seq, key, status, reason, seconds, config) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", in, 6); break;
      case 2: run(db, "INSERT OR REPLACE INTO metrics(seq, name, value) VALUES (?1, ?2, ?3)", in, 3); break;
      case 3: run(db, std::string("UPDATE points SET ") + in.pick(kColumns) + " = ?1 WHERE seq = ?2", in, 2); break;
      case 4: run(db, "UPDATE metrics SET value = ?1 WHERE name = ?2", in, 2); break;
      default: run(db, in.pick(kStatements), in, 0); break;
    }
  }
  if (sqlite3_close(db) != SQLITE_OK) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coda;
  const std::string& tmpl = template_bytes();
  const fuzz::Scratch& scratch = fuzz::Scratch::get();
  scratch.clear();
  static const std::string_view kMagic("SQLite format 3\0", 16);
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string path;
  bool pareto = true;
  std::string objectives_flag;
  if (bytes.substr(0, kMagic.size()) == kMagic) {
    path = scratch.write("results.db", bytes);
  } else {
    fuzz::Input in(data, size);
    const uint8_t flags = in.byte();
    pareto = flags & 1;
    if (flags & 2) objectives_flag = in.byte() < 128 ? std::string(in.pick(kTexts)) : in.string(40);
    path = scratch.write("results.db", tmpl);
    edit(path, in);
  }
  return fuzz::guarded([&] {
    // run_results in apps/coda/results.cpp, without the printing.
    dse::Store db(path, dse::Store::Open::existing, 0);
    std::vector<dse::MetricObjective> objectives;
    if (!objectives_flag.empty()) objectives = dse::parse_objectives(objectives_flag, "--objectives");
    else if (std::optional<std::string> m = db.meta("objectives")) objectives = dse::parse_objectives(*m, "meta objectives");
    std::vector<dse::PointRecord> points = db.all();
    db.keys();
    db.all_meta();
    db.integrity_ok();
    db.size();
    if (!points.empty()) db.get(points.front().key);
    if (pareto && !objectives.empty()) {
      size_t lacking = 0;
      points = dse::pareto_points(points, objectives, &lacking);
      const dse::MetricObjective& first = objectives.front();
      std::stable_sort(points.begin(), points.end(), [&](const dse::PointRecord& a, const dse::PointRecord& b) {
        double x = a.metrics.at(first.metric), y = b.metrics.at(first.metric);
        return first.sense == dse::Sense::Maximize ? x > y : x < y;
      });
    }
  });
}
