// dse::Store: the results store of a design-space exploration, one SQLite file (WAL mode).
//
// Every evaluated design point is one PointRecord: its canonical key, its configuration (canonical JSON
// text), its metrics, status (ok / infeasible / error, with the reason) and evaluation time. A point is
// stored once: put() of a key already stored changes nothing and returns false, so a search killed at
// any moment (SIGKILL included) and restarted skips what is stored and duplicates nothing.
//
// Guarantees (docs/results_store.md has the schema and the reasoning):
//  - each put()/put_many()/set_meta() is one transaction, committed with synchronous=FULL before it
//    returns: a point whose put() returned survives a kill of the process (and a power cut); a kill
//    during a put leaves the point absent, never half-written; the file always opens and passes
//    PRAGMA integrity_check;
//  - several processes may open one file: readers never block, writers take turns (each write waits up
//    to `busy_timeout_ms` for the lock, then IoError); within a process a Store may be shared by threads
//    (calls are serialized);
//  - opening a file that is not SQLite, an SQLite database of another application, or a store with a newer
//    schema raises ParseError naming the file; a file that cannot be opened or created, IoError.
//
//   dse::Store db("results.db");                        // creates it, or opens it to resume
//   db.set_meta("objectives", "accuracy:max,latency_s:min");
//   for (const Config& c : space)
//     if (!db.contains(key(c))) {
//       dse::PointRecord p{.key = key(c), .config_json = to_json(c)};
//       p.metrics = {{"accuracy", 0.91}, {"latency_s", 2.5e-3}};
//       db.put(p);                                      // durable once it returns
//     }
//   for (const dse::PointRecord& p : db.all()) ...      // in insertion (seq) order
//
//   dse::Store ro("results.db", dse::Store::Open::existing);   // `coda results`: never creates a file
//   auto objectives = dse::parse_objectives(*ro.meta("objectives"), "meta objectives");
//   std::vector<dse::PointRecord> front = dse::pareto_points(ro.all(), objectives);
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "coda/dse/pareto.h"

namespace coda::dse {

struct PointRecord {
  std::string key;          // canonical key of the configuration (unique in a store)
  std::string config_json;  // {"knob": value, ...} as canonical JSON text (stored as given)
  std::map<std::string, double> metrics;   // e.g. accuracy, latency_s, energy_j, area_mm2, carbon_total_g
  std::string status = "ok";               // "ok" | "infeasible" | "error"
  std::string reason;                      // why infeasible / the error
  double seconds = 0;                      // evaluation time
  int64_t seq = 0;                         // insertion order, assigned by the store (1, 2, ...)
};

class Store {
 public:
  enum class Open {
    create,    // open the file, creating it (and the schema) if it does not exist
    existing,  // the file must exist and be a coda store (falls back to read-only if it is not writable)
  };
  static constexpr int kSchemaVersion = 1;
  static constexpr int32_t kApplicationId = 0x636f6461;  // "coda", in the SQLite header (PRAGMA application_id)

  explicit Store(const std::string& path, Open mode = Open::create, int busy_timeout_ms = 60000);
  ~Store();
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const;
  bool read_only() const;  // opened read-only (Open::existing on a file this process may not write)

  bool contains(const std::string& key) const;
  std::optional<PointRecord> get(const std::string& key) const;
  // One transaction per call (or per batch for put_many); a key already stored is left unchanged
  // (returns false / is not counted), so re-running after a crash never duplicates. A record with an
  // empty key or a status other than ok / infeasible / error raises InvalidError and stores nothing.
  // Metrics are stored as IEEE doubles (NaN is stored as NULL and read back as NaN).
  bool put(const PointRecord& p);
  size_t put_many(const std::vector<PointRecord>& ps);   // returns how many were new
  std::vector<PointRecord> all() const;    // in seq order
  std::vector<std::string> keys() const;   // in seq order (cheaper than all() for resuming)
  size_t size() const;
  void set_meta(const std::string& key, const std::string& value);   // e.g. "spec", "objectives" ("accuracy:max,latency_s:min")
  std::optional<std::string> meta(const std::string& key) const;
  std::map<std::string, std::string> all_meta() const;
  bool integrity_ok() const;               // PRAGMA integrity_check == "ok"

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// An objective: a metric name and whether smaller or larger is better.
struct MetricObjective {
  std::string metric;
  Sense sense = Sense::Minimize;
};

// Parses "accuracy:max,latency_s:min" (senses max|maximize|min|minimize; spaces allowed around items).
// An empty list, an item without a sense, an unknown sense or a metric named twice raises InvalidError
// at `where` (e.g. "--objectives" or "results.db: meta objectives").
std::vector<MetricObjective> parse_objectives(const std::string& spec, const std::string& where);
// The inverse: "accuracy:max,latency_s:min".
std::string format_objectives(const std::vector<MetricObjective>& objectives);

// The ok points whose every objective metric is present and not NaN, reduced to those on the Pareto
// front of `objectives` (pareto_front), in seq order. `skipped`, if given, receives how many ok points
// were left out for lacking an objective metric.
std::vector<PointRecord> pareto_points(const std::vector<PointRecord>& points,
                                       const std::vector<MetricObjective>& objectives, size_t* skipped = nullptr);

}  // namespace coda::dse
