#include "coda/dse/explore.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>

#include "coda/core/error.h"
#include "coda/core/thread_pool.h"
#include "coda/dse/evaluator.h"

namespace coda::dse {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The optimizer's view of a stored point: objectives minimized, constraint values (<= 0 feasible).
Outcome outcome_of(const ExploreSpec& s, const PointRecord& r) {
  Outcome o;
  if (r.status == "error" || r.metrics.empty()) {
    o.failed = true;
    return o;
  }
  for (const auto& obj : s.objectives) {
    auto it = r.metrics.find(obj.metric);
    if (it == r.metrics.end() || std::isnan(it->second)) {
      o.failed = true;
      return o;
    }
    o.objectives.push_back(obj.sense == Sense::Maximize ? -it->second : it->second);
  }
  for (const Constraint& c : s.constraints) {
    auto it = r.metrics.find(c.metric);
    if (it == r.metrics.end()) {
      o.failed = true;
      return o;
    }
    const double scale = std::max(1e-12, std::fabs(std::isfinite(c.max) ? c.max : c.min));
    double v = 0;
    if (std::isfinite(c.max)) v = std::max(v, (it->second - c.max) / scale);
    if (std::isfinite(c.min)) v = std::max(v, (c.min - it->second) / scale);
    o.constraints.push_back(v);
  }
  return o;
}

}  // namespace

ExploreResult explore(const ExploreSpec& s, const ExploreOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  Store store(o.db);
  // The database belongs to one design space: its spec's knobs must match.
  std::string space;
  for (const Knob& k : s.knobs) {
    space += k.name + "=";
    for (const auto& v : k.values) space += v + ",";
    space += ";";
  }
  space += "|model=" + s.model + "|template=" + s.hw_template;
  if (auto m = store.meta("space"); m && *m != space)
    throw InvalidError(o.db, "the database holds another design space (" + *m + "); use a new --db");
  store.set_meta("space", space);
  store.set_meta("objectives", objectives_text(s));
  store.set_meta("spec_yaml", s.yaml);   // `coda report` re-evaluates points from it
  store.set_meta("spec_dir", std::filesystem::absolute(s.base_dir.empty() ? "." : s.base_dir).lexically_normal().string());
  store.set_meta("spec_path", s.where);

  PointEvaluator ev(s, o.threads);
  auto opt = make_optimizer(s.optimizer, variables(s), s.seed, {});
  const size_t budget = o.budget ? o.budget : s.budget;
  ExploreResult res;
  // Resume by retracing: the optimizer is deterministic for a seed, so asking and telling again from
  // the start proposes the same points in the same batches; stored points are told their stored
  // outcome instead of being evaluated. A resumed run therefore ends with exactly the points of an
  // uninterrupted one. The stored accuracies seed the per-variant cache.
  for (const PointRecord& r : store.all()) {
    ev.remember(r);
  }
  // Points of a batch that are not stored yet are evaluated in parallel, one mapping thread each
  // (each point maps every layer: enough work per task); results are stored and told in batch order.
  ThreadPool pool(o.threads);
  size_t done = 0;
  while (done < budget && !opt->done() && !res.stopped) {
    std::vector<Point> ask = opt->ask(std::min(s.batch, budget - done));
    if (ask.empty()) break;
    if (o.stop && o.stop->load()) {
      res.stopped = true;
      break;
    }
    std::vector<std::optional<PointRecord>> recs(ask.size());
    std::vector<size_t> todo;
    for (size_t i = 0; i < ask.size(); ++i) {
      recs[i] = store.get(point_key(s, ask[i]));
      if (!recs[i]) {
        ev.prepare(ask[i]);
        todo.push_back(i);
      }
    }
    const int mapper_threads = todo.size() > 1 ? 1 : o.threads;
    pool.parallel_for(0, static_cast<int64_t>(todo.size()), 1, [&](int64_t lo, int64_t hi) {
      for (int64_t k = lo; k < hi; ++k) recs[todo[static_cast<size_t>(k)]] = ev.evaluate(ask[todo[static_cast<size_t>(k)]], mapper_threads);
    });
    std::vector<PointRecord> fresh;
    for (size_t i : todo) fresh.push_back(*recs[i]);
    store.put_many(fresh);
    std::vector<Outcome> outs;
    for (size_t i = 0; i < ask.size(); ++i) {
      const bool evaluated = std::find(todo.begin(), todo.end(), i) != todo.end();
      if (evaluated) {
        ++res.evaluated;
        res.infeasible += recs[i]->status != "ok";
      } else {
        ++res.reused;
      }
      ++done;
      outs.push_back(outcome_of(s, *recs[i]));
      if (o.progress) {
        ExploreProgress pr;
        pr.done = done, pr.budget = budget, pr.evaluated = res.evaluated, pr.reused = res.reused;
        pr.seconds = seconds_since(t0);
        pr.last = &*recs[i];
        o.progress(pr);
      }
    }
    opt->tell(ask, outs);
  }
  res.front = pareto_points(store.all(), s.objectives);
  res.seconds = seconds_since(t0);
  return res;
}

}  // namespace coda::dse
