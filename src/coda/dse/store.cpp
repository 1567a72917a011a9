#include "coda/dse/store.h"

#include <chrono>
#include <thread>

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <mutex>
#include <set>

#include "coda/core/error.h"

namespace coda::dse {

namespace {

// Schema version 1. `seq` is the rowid (points are never deleted, so it grows with insertion order);
// metrics are one row per (point, name) so that every value is an exact IEEE double.
const char* const kSchema = R"sql(
CREATE TABLE meta(
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE points(
  seq     INTEGER PRIMARY KEY,
  key     TEXT NOT NULL UNIQUE,
  status  TEXT NOT NULL CHECK (status IN ('ok', 'infeasible', 'error')),
  reason  TEXT NOT NULL,
  seconds REAL,
  config  TEXT NOT NULL
);
CREATE TABLE metrics(
  seq   INTEGER NOT NULL REFERENCES points(seq),
  name  TEXT NOT NULL,
  value REAL,
  PRIMARY KEY (seq, name)
) WITHOUT ROWID;
)sql";

bool valid_status(const std::string& s) { return s == "ok" || s == "infeasible" || s == "error"; }

std::string column_text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  int n = sqlite3_column_bytes(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(n)) : std::string();
}

double column_double(sqlite3_stmt* s, int i) {
  return sqlite3_column_type(s, i) == SQLITE_NULL ? std::numeric_limits<double>::quiet_NaN()
                                                  : sqlite3_column_double(s, i);
}

}  // namespace

struct Store::Impl {
  std::string path;
  sqlite3* db = nullptr;
  bool read_only = false;
  int busy_timeout_ms = 0;
  mutable std::mutex mu;
  // Prepared once; every use resets them (Use below).
  sqlite3_stmt *contains = nullptr, *get_point = nullptr, *get_metrics = nullptr, *insert_point = nullptr,
               *insert_metric = nullptr, *all_points = nullptr, *all_metrics = nullptr, *all_keys = nullptr,
               *count = nullptr, *get_meta = nullptr, *set_meta = nullptr, *all_meta = nullptr;

  ~Impl() {
    for (sqlite3_stmt* s : {contains, get_point, get_metrics, insert_point, insert_metric, all_points, all_metrics,
                            all_keys, count, get_meta, set_meta, all_meta})
      sqlite3_finalize(s);
    if (db) sqlite3_close_v2(db);
  }

  // A failed SQLite call as coda's error: what the user can act on, naming the file.
  [[noreturn]] void fail(int rc, const std::string& doing) const {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
      case SQLITE_NOTADB:
        throw ParseError(path, "not a coda results database (not an SQLite file)");
      case SQLITE_CORRUPT:
        throw ParseError(path, "database is corrupt (" + msg + ")");
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        throw IoError(path, format("%s: database is locked by another process (waited %.0f s)", doing.c_str(),
                                   busy_timeout_ms / 1000.0));
      case SQLITE_FULL:
        throw IoError(path, doing + ": disk full");
      case SQLITE_READONLY:
        throw IoError(path, doing + ": database is read-only (" + msg + ")");
      case SQLITE_CANTOPEN:
        throw IoError(path, "cannot open database (" + msg + ")");
      default:
        throw IoError(path, doing + ": " + msg);
    }
  }
  void check(int rc, const char* doing) const {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) fail(rc, doing);
  }
  void exec(const char* sql, const char* doing) const {
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    sqlite3_free(err);
    check(rc, doing);
  }
  sqlite3_stmt* prepare(const char* sql) const {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) {
      if ((rc & 0xff) == SQLITE_ERROR)  // no such table / column: the schema is not ours
        throw ParseError(path, std::string("not a coda results database (") + sqlite3_errmsg(db) + ")");
      fail(rc, "preparing a statement");
    }
    return s;
  }
  int64_t pragma_int(const char* sql) const {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
    if (rc != SQLITE_OK) fail(rc, "reading the header");
    rc = sqlite3_step(s);
    int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    check(rc, "reading the header");
    return v;
  }
  std::string pragma_text(const char* sql) const {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
    if (rc != SQLITE_OK) fail(rc, sql);
    rc = sqlite3_step(s);
    std::string v = rc == SQLITE_ROW ? column_text(s, 0) : std::string();
    sqlite3_finalize(s);
    check(rc, sql);
    return v;
  }

  // Binds and steps a cached statement; resets it when the scope ends, whatever happens.
  struct Use {
    const Impl& impl;
    sqlite3_stmt* s;
    Use(const Impl& i, sqlite3_stmt* st) : impl(i), s(st) {}
    ~Use() {
      sqlite3_reset(s);
      sqlite3_clear_bindings(s);
    }
    Use& text(int i, const std::string& v) {
      impl.check(sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC), "binding");
      return *this;
    }
    Use& real(int i, double v) {
      impl.check(std::isnan(v) ? sqlite3_bind_null(s, i) : sqlite3_bind_double(s, i, v), "binding");
      return *this;
    }
    Use& int64(int i, int64_t v) {
      impl.check(sqlite3_bind_int64(s, i, v), "binding");
      return *this;
    }
    bool step(const char* doing) {
      int rc = sqlite3_step(s);
      if (rc == SQLITE_ROW) return true;
      if (rc == SQLITE_DONE) return false;
      impl.fail(rc, doing);
    }
  };

  // A write transaction: BEGIN IMMEDIATE takes the write lock up front (waiting up to busy_timeout), so
  // two writers never deadlock on a read-to-write upgrade; rolled back unless commit() ran.
  struct Write {
    const Impl& impl;
    bool done = false;
    Write(const Impl& i, const char* doing) : impl(i) {
      if (impl.read_only) throw IoError(impl.path, std::string(doing) + ": the database was opened read-only");
      impl.exec("BEGIN IMMEDIATE", doing);
    }
    void commit() {
      impl.exec("COMMIT", "committing");
      done = true;
    }
    ~Write() {
      if (!done) sqlite3_exec(impl.db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  };
  // A read transaction: one consistent snapshot across several statements.
  struct Read {
    const Impl& impl;
    Read(const Impl& i) : impl(i) { impl.exec("BEGIN", "reading"); }
    ~Read() { sqlite3_exec(impl.db, "COMMIT", nullptr, nullptr, nullptr); }
  };

  void open(Open mode) {
    struct stat st {};
    bool exists = ::stat(path.c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) throw IoError(path, "cannot open database: is a directory");
    if (!exists && mode == Open::existing) throw IoError(path, format("cannot open database: %s", std::strerror(errno)));
    if (exists) {  // SQLite would say "file is not a database" only at the first statement; say it here
      std::ifstream in(path, std::ios::binary);
      if (!in) throw IoError(path, format("cannot open database: %s", std::strerror(errno)));
      char head[16] = {};
      in.read(head, sizeof head);
      size_t n = static_cast<size_t>(in.gcount());
      if (n == 0 && mode == Open::existing) throw ParseError(path, "not a coda results database (an empty file)");
      if (n > 0 && (n < sizeof head || std::memcmp(head, "SQLite format 3", 16) != 0))
        throw ParseError(path, "not a coda results database (not an SQLite file)");
    }
    int flags = SQLITE_OPEN_READWRITE | (mode == Open::create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) fail(rc, "opening");
    // SQLite opens a write-protected file read-only: fine for reading (`coda results`), not for a search.
    read_only = sqlite3_db_readonly(db, "main") == 1;
    if (read_only && mode == Open::create) throw IoError(path, "cannot write the database (the file is read-only)");
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, busy_timeout_ms);
    // WAL + FULL: a commit is fsynced into the WAL before it returns (durable across power loss, not
    // only across a killed process, which NORMAL would already survive); readers never block.
    exec("PRAGMA synchronous=FULL", "setting synchronous");

    // Both read in one snapshot: another process may be creating the schema right now.
    int64_t app = 0, objects = 0;
    {
      Read r(*this);
      app = pragma_int("PRAGMA application_id");
      objects = pragma_int("SELECT count(*) FROM sqlite_schema");
    }
    if (app == 0 && objects == 0) {
      if (mode == Open::existing) throw ParseError(path, "not a coda results database (an empty SQLite database)");
      create_schema();
      app = pragma_int("PRAGMA application_id");
    }
    if (app != kApplicationId)
      throw ParseError(path, "not a coda results database (an SQLite database of another application)");
    int64_t version = pragma_int("PRAGMA user_version");
    if (version > kSchemaVersion)
      throw ParseError(path, format("results database schema version %lld is newer than this coda reads (%d); "
                                    "use a newer coda", (long long)version, kSchemaVersion));
    if (version < 1) throw ParseError(path, format("results database has no schema version (%lld)", (long long)version));
    if (!read_only && pragma_text("PRAGMA journal_mode") != "wal") set_wal();

    contains = prepare("SELECT 1 FROM points WHERE key = ?1");
    get_point = prepare("SELECT seq, status, reason, seconds, config FROM points WHERE key = ?1");
    get_metrics = prepare("SELECT name, value FROM metrics WHERE seq = ?1 ORDER BY name");
    insert_point = prepare("INSERT INTO points(key, status, reason, seconds, config) VALUES (?1, ?2, ?3, ?4, ?5) "
                           "ON CONFLICT(key) DO NOTHING");
    insert_metric = prepare("INSERT INTO metrics(seq, name, value) VALUES (?1, ?2, ?3)");
    all_points = prepare("SELECT seq, key, status, reason, seconds, config FROM points ORDER BY seq");
    all_metrics = prepare("SELECT seq, name, value FROM metrics ORDER BY seq, name");
    all_keys = prepare("SELECT key FROM points ORDER BY seq");
    count = prepare("SELECT count(*) FROM points");
    get_meta = prepare("SELECT value FROM meta WHERE key = ?1");
    set_meta = prepare("INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    all_meta = prepare("SELECT key, value FROM meta ORDER BY key");
  }

  // Switching to WAL needs an exclusive lock, and SQLite can report SQLITE_BUSY for it at once, without
  // its busy handler, while another process creates or recovers the file: retry until busy_timeout.
  void set_wal() {
    std::string m;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
    for (;;) {
      sqlite3_stmt* st = nullptr;
      int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, nullptr);
      if (rc == SQLITE_OK) rc = sqlite3_step(st);
      if (rc == SQLITE_ROW) m = column_text(st, 0);
      sqlite3_finalize(st);
      if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) {
        check(rc == SQLITE_ROW ? SQLITE_OK : rc, "PRAGMA journal_mode=WAL");
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (m != "wal") throw IoError(path, "cannot switch the database to WAL mode (journal mode '" + m + "')");
  }

  // A new (empty) file: WAL first (outside any transaction), then the schema, application id and version
  // in one transaction, so a kill leaves either an empty database or a complete store. Two processes
  // creating the same file at once: the second finds the schema once it has the write lock.
  void create_schema() {
    set_wal();
    Write w(*this, "creating the schema");
    if (pragma_int("SELECT count(*) FROM sqlite_schema") == 0 && pragma_int("PRAGMA application_id") == 0) {
      exec(kSchema, "creating the schema");
      exec(format("PRAGMA application_id=%d", kApplicationId).c_str(), "creating the schema");
      exec(format("PRAGMA user_version=%d", kSchemaVersion).c_str(), "creating the schema");
    }
    w.commit();
  }

  void validate(const PointRecord& p) const {
    if (p.key.empty()) throw InvalidError(path, "a point needs a non-empty key");
    if (!valid_status(p.status))
      throw InvalidError(path, "point " + p.key + ": status '" + p.status + "' is not one of ok, infeasible, error");
  }

  // Inside a write transaction: true if the point was new.
  bool insert(const PointRecord& p) {
    {
      Use u(*this, insert_point);
      u.text(1, p.key).text(2, p.status).text(3, p.reason).real(4, p.seconds).text(5, p.config_json);
      u.step("storing a point");
    }
    if (sqlite3_changes(db) == 0) return false;
    int64_t seq = sqlite3_last_insert_rowid(db);
    for (const auto& [name, value] : p.metrics) {
      Use u(*this, insert_metric);
      u.int64(1, seq).text(2, name).real(3, value);
      u.step("storing a metric");
    }
    return true;
  }

  PointRecord read_point_row(sqlite3_stmt* s, int first) const {  // seq, key, status, reason, seconds, config
    PointRecord p;
    p.seq = sqlite3_column_int64(s, first);
    p.key = column_text(s, first + 1);
    p.status = column_text(s, first + 2);
    p.reason = column_text(s, first + 3);
    p.seconds = column_double(s, first + 4);
    p.config_json = column_text(s, first + 5);
    return p;
  }
};

Store::Store(const std::string& path, Open mode, int busy_timeout_ms) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->busy_timeout_ms = busy_timeout_ms;
  impl_->open(mode);
}
Store::~Store() = default;
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;

const std::string& Store::path() const { return impl_->path; }
bool Store::read_only() const { return impl_->read_only; }

bool Store::contains(const std::string& key) const {
  std::lock_guard lock(impl_->mu);
  Impl::Use u(*impl_, impl_->contains);
  u.text(1, key);
  return u.step("looking up a point");
}

std::optional<PointRecord> Store::get(const std::string& key) const {
  std::lock_guard lock(impl_->mu);
  PointRecord p;
  {
    Impl::Use u(*impl_, impl_->get_point);
    u.text(1, key);
    if (!u.step("reading a point")) return std::nullopt;
    int64_t seq = sqlite3_column_int64(u.s, 0);
    p.key = key;
    p.seq = seq;
    p.status = column_text(u.s, 1);
    p.reason = column_text(u.s, 2);
    p.seconds = column_double(u.s, 3);
    p.config_json = column_text(u.s, 4);
  }
  // A point's metrics are written in its own transaction and never change: no snapshot needed.
  Impl::Use m(*impl_, impl_->get_metrics);
  m.int64(1, p.seq);
  while (m.step("reading metrics")) p.metrics[column_text(m.s, 0)] = column_double(m.s, 1);
  return p;
}

bool Store::put(const PointRecord& p) {
  std::lock_guard lock(impl_->mu);
  impl_->validate(p);
  Impl::Write w(*impl_, "storing a point");
  bool added = impl_->insert(p);
  if (added) w.commit();  // nothing changed otherwise: the destructor's rollback just ends the transaction
  return added;
}

size_t Store::put_many(const std::vector<PointRecord>& ps) {
  std::lock_guard lock(impl_->mu);
  for (const PointRecord& p : ps) impl_->validate(p);
  if (ps.empty()) return 0;
  Impl::Write w(*impl_, "storing points");
  size_t added = 0;
  for (const PointRecord& p : ps) added += impl_->insert(p);
  w.commit();
  return added;
}

std::vector<PointRecord> Store::all() const {
  std::lock_guard lock(impl_->mu);
  Impl::Read r(*impl_);
  std::vector<PointRecord> out;
  {
    Impl::Use u(*impl_, impl_->all_points);
    while (u.step("reading points")) out.push_back(impl_->read_point_row(u.s, 0));
  }
  // Both lists are in seq order: merge.
  Impl::Use m(*impl_, impl_->all_metrics);
  size_t i = 0;
  while (m.step("reading metrics")) {
    int64_t seq = sqlite3_column_int64(m.s, 0);
    while (i < out.size() && out[i].seq < seq) ++i;
    if (i < out.size() && out[i].seq == seq) out[i].metrics[column_text(m.s, 1)] = column_double(m.s, 2);
  }
  return out;
}

std::vector<std::string> Store::keys() const {
  std::lock_guard lock(impl_->mu);
  std::vector<std::string> out;
  Impl::Use u(*impl_, impl_->all_keys);
  while (u.step("reading keys")) out.push_back(column_text(u.s, 0));
  return out;
}

size_t Store::size() const {
  std::lock_guard lock(impl_->mu);
  Impl::Use u(*impl_, impl_->count);
  u.step("counting points");
  return static_cast<size_t>(sqlite3_column_int64(u.s, 0));
}

void Store::set_meta(const std::string& key, const std::string& value) {
  std::lock_guard lock(impl_->mu);
  Impl::Write w(*impl_, "storing meta");
  {
    Impl::Use u(*impl_, impl_->set_meta);
    u.text(1, key).text(2, value);
    u.step("storing meta");
  }
  w.commit();
}

std::optional<std::string> Store::meta(const std::string& key) const {
  std::lock_guard lock(impl_->mu);
  Impl::Use u(*impl_, impl_->get_meta);
  u.text(1, key);
  if (!u.step("reading meta")) return std::nullopt;
  return column_text(u.s, 0);
}

std::map<std::string, std::string> Store::all_meta() const {
  std::lock_guard lock(impl_->mu);
  std::map<std::string, std::string> out;
  Impl::Use u(*impl_, impl_->all_meta);
  while (u.step("reading meta")) out[column_text(u.s, 0)] = column_text(u.s, 1);
  return out;
}

bool Store::integrity_ok() const {
  std::lock_guard lock(impl_->mu);
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(impl_->db, "PRAGMA integrity_check", -1, &s, nullptr);
  if (rc != SQLITE_OK) return false;
  std::vector<std::string> rows;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) rows.push_back(column_text(s, 0));
  sqlite3_finalize(s);
  return rc == SQLITE_DONE && rows.size() == 1 && rows[0] == "ok";
}

// ---- objectives and the Pareto front of stored points ----

namespace {
std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}
}  // namespace

std::vector<MetricObjective> parse_objectives(const std::string& spec, const std::string& where) {
  const char* form = " (expected e.g. \"accuracy:max,latency_s:min\")";
  std::vector<MetricObjective> out;
  std::set<std::string> seen;
  size_t start = 0;
  if (trim(spec).empty()) throw InvalidError(where, std::string("no objectives") + form);
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string item = trim(spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    start = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    size_t colon = item.rfind(':');
    if (item.empty()) throw InvalidError(where, std::string("empty objective in '") + spec + "'" + form);
    if (colon == std::string::npos)
      throw InvalidError(where, "objective '" + item + "' has no sense (:min or :max)" + form);
    MetricObjective o;
    o.metric = trim(item.substr(0, colon));
    std::string sense = trim(item.substr(colon + 1));
    if (sense == "max" || sense == "maximize") o.sense = Sense::Maximize;
    else if (sense == "min" || sense == "minimize") o.sense = Sense::Minimize;
    else throw InvalidError(where, "objective '" + item + "': sense '" + sense + "' is not min or max");
    if (o.metric.empty()) throw InvalidError(where, "objective '" + item + "' names no metric" + form);
    if (!seen.insert(o.metric).second) throw InvalidError(where, "metric '" + o.metric + "' is named twice");
    out.push_back(o);
  }
  return out;
}

std::string format_objectives(const std::vector<MetricObjective>& objectives) {
  std::string s;
  for (const MetricObjective& o : objectives)
    s += (s.empty() ? "" : ",") + o.metric + (o.sense == Sense::Maximize ? ":max" : ":min");
  return s;
}

std::vector<PointRecord> pareto_points(const std::vector<PointRecord>& points,
                                       const std::vector<MetricObjective>& objectives, size_t* skipped) {
  std::vector<const PointRecord*> ok;
  std::vector<std::vector<double>> values;
  std::vector<Sense> senses;
  for (const MetricObjective& o : objectives) senses.push_back(o.sense);
  size_t lacking = 0;
  for (const PointRecord& p : points) {
    if (p.status != "ok") continue;
    std::vector<double> v;
    for (const MetricObjective& o : objectives) {
      auto it = p.metrics.find(o.metric);
      if (it == p.metrics.end() || std::isnan(it->second)) break;
      v.push_back(it->second);
    }
    if (v.size() != objectives.size()) {
      ++lacking;
      continue;
    }
    ok.push_back(&p);
    values.push_back(std::move(v));
  }
  if (skipped) *skipped = lacking;
  std::vector<size_t> front = values.empty() ? std::vector<size_t>{} : pareto_front(values, senses);
  std::vector<bool> keep(ok.size(), false);
  for (size_t i : front) keep.at(i) = true;
  std::vector<PointRecord> out;
  for (size_t i = 0; i < ok.size(); ++i)
    if (keep[i]) out.push_back(*ok[i]);
  return out;
}

}  // namespace coda::dse
