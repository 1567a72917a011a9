#include "coda/dse/explore.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>

#include "coda/core/error.h"
#include "coda/core/thread_pool.h"
#include "coda/dse/dispatch.h"
#include "coda/dse/evaluator.h"
#include "coda/dse/mpi_world.h"

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

// Space identity: a database belongs to one design space (its knobs, model and template).
std::string space_of(const ExploreSpec& s) {
  std::string space;
  for (const Knob& k : s.knobs) {
    space += k.name + "=";
    for (const auto& v : k.values) space += v + ",";
    space += ";";
  }
  return space + "|model=" + s.model + "|template=" + s.hw_template;
}

// An MPI rank other than 0: it serves rank 0's dispatcher (dispatch.h) until told to stop.
ExploreResult run_worker(const ExploreSpec& s, const ExploreOptions& o, mpi::World& w) {
  ExploreResult res;
  res.ranks = w.size();
  res.worker = true;
  std::unique_ptr<PointEvaluator> ev;
  std::string err;
  try {
    ev = std::make_unique<PointEvaluator>(s, o.threads);
  } catch (const Error& e) {
    err = e.what();
  }
  if (w.min_all(err.empty() ? 1 : 0) == 0) {  // rank 0 reports the failure (it fails the same way or learns of it)
    if (!err.empty()) throw InvalidError(format("rank %d", w.rank()), err);
    return res;
  }
  ThreadPool pool(o.threads);
  res.evaluated = serve(w, *ev, pool, o.threads);
  return res;
}

}  // namespace

bool shardable(const std::string& optimizer) { return optimizer == "grid" || optimizer == "random" || optimizer == "sobol"; }

void parse_shard(const std::string& text, int& index, int& count) {
  const auto slash = text.find('/');
  char* e1 = nullptr;
  char* e2 = nullptr;
  const std::string a = text.substr(0, slash), b = slash == std::string::npos ? "" : text.substr(slash + 1);
  const long i = std::strtol(a.c_str(), &e1, 10), n = std::strtol(b.c_str(), &e2, 10);
  if (slash == std::string::npos || a.empty() || b.empty() || *e1 || *e2 || n < 1 || i < 0 || i >= n || n > 1000000)
    throw InvalidError("--shard", "'" + text + "' is not I/N with 0 <= I < N (e.g. 0/4)");
  index = static_cast<int>(i);
  count = static_cast<int>(n);
}

ExploreResult explore(const ExploreSpec& s, const ExploreOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  if (o.shard_count < 1 || o.shard_index < 0 || o.shard_index >= o.shard_count)
    throw InvalidError("--shard", format("shard %d/%d is not I/N with 0 <= I < N", o.shard_index, o.shard_count));
  if (o.shard_count > 1 && !shardable(s.optimizer))
    throw InvalidError(s.where, "--shard needs a non-adaptive optimizer (grid, random or sobol): '" + s.optimizer +
                                    "' chooses points from earlier results, which another shard holds");
  mpi::World* w = o.mpi && mpi::launched() ? &mpi::world() : nullptr;
  if (w && w->size() == 1) w = nullptr;
  if (w && w->rank() != 0) return run_worker(s, o, *w);

  std::optional<Store> store_holder;
  std::unique_ptr<PointEvaluator> ev_holder;
  std::string err;
  try {
    store_holder.emplace(o.db);
    Store& store = *store_holder;
    // The database belongs to one design space: its spec's knobs must match.
    const std::string space = space_of(s);
    if (auto m = store.meta("space"); m && *m != space)
      throw InvalidError(o.db, "the database holds another design space (" + *m + "); use a new --db");
    store.set_meta("space", space);
    store.set_meta("objectives", objectives_text(s));
    store.set_meta("spec_yaml", s.yaml);   // `coda report` re-evaluates points from it
    store.set_meta("spec_dir", std::filesystem::absolute(s.base_dir.empty() ? "." : s.base_dir).lexically_normal().string());
    store.set_meta("spec_path", s.where);
    if (o.shard_count > 1) store.set_meta("shard", format("%d/%d", o.shard_index, o.shard_count));
    ev_holder = std::make_unique<PointEvaluator>(s, o.threads);
  } catch (const Error&) {
    if (w) w->min_all(0);  // the other ranks stop
    throw;
  }
  if (w && w->min_all(1) == 0) throw InvalidError("mpi", "a worker rank could not load the spec (its message is above)");
  Store& store = *store_holder;
  PointEvaluator& ev = *ev_holder;

  auto opt = make_optimizer(s.optimizer, variables(s), s.seed, {});
  const size_t budget = o.budget ? o.budget : s.budget;
  // A shard evaluates the proposals whose index (over the whole sequence) is its own modulo the count.
  const size_t shard_budget = o.shard_count > 1
                                  ? budget / static_cast<size_t>(o.shard_count) + (static_cast<size_t>(o.shard_index) < budget % static_cast<size_t>(o.shard_count))
                                  : budget;
  ExploreResult res;
  res.ranks = w ? w->size() : 1;
  // Resume by retracing: the optimizer is deterministic for a seed, so asking and telling again from
  // the start proposes the same points in the same batches; stored points are told their stored
  // outcome instead of being evaluated. A resumed run therefore ends with exactly the points of an
  // uninterrupted one. The stored accuracies seed the per-variant cache.
  for (const PointRecord& r : store.all()) ev.remember(r);
  std::optional<ThreadPool> pool;
  std::unique_ptr<Dispatcher> dispatch;  // MPI: the batches go to the workers (rank 0's thread and the other ranks)
  size_t proposed = 0, done = 0;
  try {
    if (w) dispatch = std::make_unique<Dispatcher>(s, *w, ev, o.threads);
    else pool.emplace(o.threads);
    while (proposed < budget && !opt->done() && !res.stopped) {
      std::vector<Point> ask = opt->ask(std::min(s.batch, budget - proposed));
      if (ask.empty()) break;
      if (o.stop && o.stop->load()) {
        res.stopped = true;
        break;
      }
      std::vector<Point> own;  // this shard's points of the batch
      for (size_t i = 0; i < ask.size(); ++i)
        if (static_cast<int>((proposed + i) % static_cast<size_t>(o.shard_count)) == o.shard_index) own.push_back(ask[i]);
      proposed += ask.size();
      std::vector<std::optional<PointRecord>> recs(own.size());
      std::vector<size_t> todo;
      for (size_t i = 0; i < own.size(); ++i) {
        recs[i] = store.get(point_key(s, own[i]));
        if (!recs[i]) todo.push_back(i);
      }
      std::vector<Point> todo_pts;
      for (size_t i : todo) todo_pts.push_back(own[i]);
      std::vector<PointRecord> fresh;
      if (dispatch && !todo_pts.empty()) {
        fresh = dispatch->run(todo_pts, [&](const std::vector<PointRecord>& rs) { store.put_many(rs); });
      } else {
        fresh = evaluate_points(ev, *pool, todo_pts, o.threads);
        store.put_many(fresh);
      }
      for (size_t k = 0; k < todo.size(); ++k) recs[todo[k]] = std::move(fresh[k]);
      std::vector<Outcome> outs;
      for (size_t i = 0; i < own.size(); ++i) {
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
          pr.done = done, pr.budget = shard_budget, pr.evaluated = res.evaluated, pr.reused = res.reused;
          pr.seconds = seconds_since(t0);
          pr.last = &*recs[i];
          o.progress(pr);
        }
      }
      opt->tell(own, outs);
    }
  } catch (...) {
    if (w && !dispatch)  // the workers wait for their first message: tell them to stop
      for (int r = 1; r < w->size(); ++r) w->send(r, std::string(1, 'S'));
    throw;  // (a dispatcher stops its workers as it goes)
  }
  if (dispatch) {
    const DispatchStats st = dispatch->finish();
    res.measured = st.measured;
    res.busy = st.busy;
  } else {
    res.measured = ev.accuracies_measured();
  }
  res.front = pareto_points(store.all(), s.objectives);
  res.seconds = seconds_since(t0);
  return res;
}

}  // namespace coda::dse
