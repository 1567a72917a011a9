// dse::PointEvaluator: evaluates the design points of one spec. A point's accuracy is measured on the
// test set once per model variant (pruning x precision) and cached; its hardware point is built from the
// template, every layer of the variant is mapped on it, and its carbon is estimated. explore() uses it
// for the search; detail() re-evaluates one stored point and keeps everything (per-layer mappings, the
// architecture, the carbon split) for reports.
//
//   PointEvaluator ev(spec, /*threads=*/0);
//   PointRecord r = ev.evaluate(point_of_key(spec, key), 1);
//   PointDetail d = ev.detail(point_of_key(spec, key), 0);   // d.mapping.layers[i].result.cost ...
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "coda/carbon/carbon.h"
#include "coda/dse/space.h"
#include "coda/dse/store.h"
#include "coda/hw/architecture.h"
#include "coda/map/network.h"

namespace coda::dse {

struct PointDetail {
  PointRecord record;            // as evaluate() gives it
  std::map<std::string, std::string> knobs;
  std::string arch_spec;         // "template?param=value&..."
  hw::Architecture arch;
  map::NetworkMapping mapping;   // every compute layer of the variant
  carbon::CarbonEstimate carbon;
};

class PointEvaluator {
 public:
  PointEvaluator(const ExploreSpec& s, int threads);
  ~PointEvaluator();
  PointEvaluator(const PointEvaluator&) = delete;
  PointEvaluator& operator=(const PointEvaluator&) = delete;

  // Seeds the accuracy cache from a stored point (its key must belong to the spec; others are ignored).
  void remember(const PointRecord& r);
  // The per-variant work a point needs (pruned model, its layers, its accuracy), done on the calling
  // thread with all threads; afterwards evaluate() of such points may run concurrently.
  void prepare(const Point& p);
  // `mapper_threads`: threads of each layer's mapping search (1 when points run in parallel). A point
  // that cannot be built, mapped or that breaks a constraint comes back "infeasible" with the reason.
  PointRecord evaluate(const Point& p, int mapper_threads);
  // The accuracy cache, for spreading work over MPI ranks: whether points need an accuracy at all,
  // the variant a point's accuracy belongs to, its cached value, and setting one measured elsewhere.
  bool needs_accuracy() const;
  std::string accuracy_key(const Point& p) const;
  // The pruned variant a point belongs to (its graph, layers and calibration are built once per variant).
  std::string variant_key(const Point& p) const;
  std::optional<double> cached_accuracy(const Point& p) const;
  void set_accuracy(const Point& p, double accuracy);
  // How many accuracies this evaluator has measured (cache misses), for checking that MPI ranks never
  // measure one variant twice.
  size_t accuracies_measured() const;
  // evaluate() keeping the details. InvalidError when the point cannot be evaluated (the reason).
  PointDetail detail(const Point& p, int mapper_threads);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The spec a results database was written with (its meta "spec_yaml" and "spec_dir"). InvalidError
// naming the database when it holds none (a store not written by `coda explore`).
ExploreSpec spec_of_store(const Store& db);

}  // namespace coda::dse
