// report::ReportData: everything the HTML report shows, gathered from a results store: the points and
// their Pareto front, the chosen point re-evaluated in detail (per-layer cost, energy by component and
// action, carbon split, roofline), and the accuracy of each model variant. html.h renders it.
//
//   dse::Store db("results.db", dse::Store::Open::existing);
//   report::ReportData d = report::collect(db, report::ReportOptions{});   // re-evaluates the chosen point
//   d.front.size();  d.chosen->key;  d.point->layers[0].latency_s;  d.point->roofline.peak;
//
// The pieces computed from a PointDetail (layer_rows, component_energy, roofline) are plain functions,
// so tests can check them against the cost model's own numbers.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coda/dse/evaluator.h"
#include "coda/dse/space.h"
#include "coda/dse/store.h"

namespace coda::report {

struct ReportOptions {
  std::string point;        // key of the point to detail; empty: the ideal-point choice of the front
  int threads = 0;          // threads of the chosen point's re-evaluation (0: all cores)
  bool reevaluate = true;   // false: only the sections the store alone gives
  std::string generated;    // the header's generation time; empty: now (UTC)
};

// What a metric is called and its unit ("latency_s" -> {"Latency", "s"}); unknown names keep the name.
struct MetricInfo {
  std::string label, unit;
};
MetricInfo metric_info(const std::string& metric);

// One compute layer of the chosen point, as mapped.
struct LayerRow {
  std::string name;
  int64_t macs = 0, cycles = 0;
  double latency_s = 0;             // cycles / clock (0 without a clock)
  double energy_pj = 0;
  std::vector<double> energy_pj_by_component;   // in component_energy()'s order
  double outer_bytes = 0;           // bytes the roofline counts at the outermost level (Roofline::counts_*)
  double intensity = 0;             // 2 x MACs / outer_bytes, ops/byte (infinite when no bytes move)
  double performance = 0;           // 2 x MACs / (cycles / clock): ops/s (ops/cycle without a clock)
  bool shared = false;              // the mapping of an earlier layer of the same shape
};

// Energy of one component summed over the layers: a storage level's reads, fills, updates and
// network, or the MACs' compute.
struct ComponentEnergy {
  std::string name;
  double read_pj = 0, fill_pj = 0, update_pj = 0, network_pj = 0, compute_pj = 0;
  double total_pj() const { return read_pj + fill_pj + update_pj + network_pj + compute_pj; }
};

// The roofline of an architecture: peak = 2 x MAC units x ops_per_cycle x clock; the memory roof is
// the outermost level's bandwidth (words/cycle x instances x word bytes x clock) over the traffic that
// bandwidth limits: reads + fills + updates when both read and write bandwidth are limited (their sum),
// reads only when only reads are, fills + updates when only writes are. Unlimited (0): no memory roof;
// the intensity then counts all traffic.
struct Roofline {
  std::string level;                // the outermost storage level
  double clock_hz = 0;              // 0: performance in ops/cycle, bandwidth in bytes/cycle
  double peak = 0;                  // ops/s (ops/cycle)
  double bandwidth = 0;             // bytes/s (bytes/cycle); 0 = unlimited
  bool counts_reads = true, counts_writes = true;
  std::string basis;                // how the bandwidth was derived, in words
};

Roofline roofline(const hw::Architecture& a);
// MAC first, then the storage levels innermost first; the totals add up to mapping.energy_pj.
std::vector<ComponentEnergy> component_energy(const hw::Architecture& a, const map::NetworkMapping& m);
std::vector<LayerRow> layer_rows(const hw::Architecture& a, const map::NetworkMapping& m, const Roofline& r);

// The chosen point, re-evaluated from the store's spec.
struct PointReport {
  dse::PointDetail detail;
  std::vector<LayerRow> layers;
  std::vector<ComponentEnergy> components;
  Roofline roofline;
  std::vector<std::string> differences;   // stored metrics the re-evaluation gives differently
};

// Accuracy of each model variant (pruning x precision): the store holds one measurement per variant,
// repeated on every point of it.
struct AccuracyCell {
  double value = 0, min = 0, max = 0;   // min < max only if the points of one variant disagree
  size_t points = 0;                    // 0: no point of this variant
};
struct AccuracyTable {
  std::vector<std::string> variants;     // pruning ("keep 0.5, layers 3"; "unpruned" without pruning knobs)
  std::vector<std::string> precisions;   // "W8A8 rtn" ("fp32" without precision knobs)
  std::vector<std::vector<AccuracyCell>> cells;   // [variant][precision]
};
// The (variant, precision) labels of a configuration, as accuracy_table names its rows and columns.
std::pair<std::string, std::string> accuracy_labels(const std::string& config_json, const dse::ExploreSpec* spec = nullptr);
// nullopt when no point has an accuracy metric. Knob values are ordered as in the spec when given.
std::optional<AccuracyTable> accuracy_table(const std::vector<dse::PointRecord>& points,
                                            const dse::ExploreSpec* spec = nullptr);

// The knobs of a stored configuration ({"knob": value, ...}; values as text, strings bare).
std::vector<std::pair<std::string, std::string>> config_knobs(const std::string& config_json);
// "precision" (format, method and per-group forms like format.attn), "pruning" (the other model knobs:
// keep, layers, heads) or "hardware": a spec knob's own flag decides hardware; without a spec, the name.
std::string knob_kind(const std::string& name, const dse::ExploreSpec* spec = nullptr);

struct ReportData {
  std::string database, spec_path, model, hw_template, generated;
  std::optional<dse::ExploreSpec> spec;          // the store's spec (nullopt if it holds none)
  std::vector<dse::PointRecord> points;          // all, in seq order
  size_t ok = 0, infeasible = 0, errors = 0;
  double evaluation_seconds = 0;                 // summed over the points
  std::vector<dse::MetricObjective> objectives;  // meta "objectives" (empty if none)
  std::vector<dse::PointRecord> front;           // dse::pareto_points over all objectives, seq order
  std::vector<size_t> front_rank;                // per front point: its place in the ideal-point ranking (0 = the choice)
  std::vector<std::string> knobs;                // knob names in spec order
  std::optional<dse::PointRecord> chosen;
  std::string chosen_by;                         // why this point
  std::optional<PointReport> point;              // the chosen point re-evaluated
  std::string point_note;                        // why `point` is missing
  std::optional<AccuracyTable> accuracy;
  std::vector<std::string> notes;
};

// InvalidError naming the database when it holds no points, or naming --point when `o.point` is not a
// key of the store. A chosen point that cannot be re-evaluated leaves `point` empty with the reason.
ReportData collect(const dse::Store& db, const ReportOptions& o);

}  // namespace coda::report
