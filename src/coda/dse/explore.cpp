#include "coda/dse/explore.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>

#include "coda/core/error.h"
#include "coda/core/thread_pool.h"
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

void put_record(mpi::Writer& w, const PointRecord& r) {
  w.str(r.key), w.str(r.config_json), w.str(r.status), w.str(r.reason);
  w.f64(r.seconds);
  w.u64(r.metrics.size());
  for (const auto& [k, v] : r.metrics) w.str(k), w.f64(v);
}
PointRecord get_record(mpi::Reader& rd) {
  PointRecord r;
  r.key = rd.str(), r.config_json = rd.str(), r.status = rd.str(), r.reason = rd.str();
  r.seconds = rd.f64();
  for (uint64_t n = rd.u64(); n > 0; --n) {
    std::string k = rd.str();
    r.metrics[k] = rd.f64();
  }
  return r;
}
void put_point(mpi::Writer& w, const Point& p) {
  w.u64(p.size());
  for (double x : p) w.f64(x);
}
Point get_point(mpi::Reader& rd) {
  Point p(rd.u64());
  for (double& x : p) x = rd.f64();
  return p;
}

// Evaluates the points of one batch on this process's threads (one mapping thread per point when
// there are several), after preparing their variants on the calling thread.
std::vector<PointRecord> evaluate_here(PointEvaluator& ev, ThreadPool& pool, const std::vector<Point>& pts, int threads) {
  for (const Point& p : pts) ev.prepare(p);
  std::vector<PointRecord> out(pts.size());
  const int mapper_threads = pts.size() > 1 ? 1 : threads;
  pool.parallel_for(0, static_cast<int64_t>(pts.size()), 1, [&](int64_t lo, int64_t hi) {
    for (int64_t k = lo; k < hi; ++k) out[static_cast<size_t>(k)] = ev.evaluate(pts[static_cast<size_t>(k)], mapper_threads);
  });
  return out;
}

// Deals a batch's points to `ranks` ranks, balancing estimated work (LPT): the points of an accuracy
// variant not measured yet go together to one rank, which measures it once (cost `acc_s` + their
// mapping); the other points (`map_s` each) fill the least loaded ranks. Deterministic.
std::vector<int> deal(const PointEvaluator& ev, const std::vector<Point>& pts, int ranks, double acc_s, double map_s) {
  std::vector<int> owner(pts.size(), -1);
  std::vector<double> load(static_cast<size_t>(ranks), 0.0);
  auto least = [&] { return static_cast<int>(std::min_element(load.begin(), load.end()) - load.begin()); };
  std::vector<std::pair<std::string, std::vector<size_t>>> groups;  // new variants, in batch order
  std::vector<size_t> free_points;
  for (size_t i = 0; i < pts.size(); ++i) {
    if (!ev.needs_accuracy() || ev.cached_accuracy(pts[i])) {
      free_points.push_back(i);
      continue;
    }
    const std::string k = ev.accuracy_key(pts[i]);
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == k; });
    if (it == groups.end()) groups.push_back({k, {i}});
    else it->second.push_back(i);
  }
  std::stable_sort(groups.begin(), groups.end(), [](const auto& x, const auto& y) { return x.second.size() > y.second.size(); });
  for (const auto& g : groups) {
    const int r = least();
    for (size_t i : g.second) owner[i] = r;
    load[static_cast<size_t>(r)] += acc_s + map_s * static_cast<double>(g.second.size());
  }
  for (size_t i : free_points) {
    const int r = least();
    owner[i] = r;
    load[static_cast<size_t>(r)] += map_s;
  }
  return owner;
}

// One batch over the MPI world, the same on every rank (rank 0 passes the batch, the others receive it):
// each point comes with its rank (deal()) and the accuracy rank 0 knows for it; every rank evaluates its
// points (measuring the new accuracy variants dealt to it) and sends the records to rank 0, which
// stores each rank's records as they arrive. Returns the records in batch order on rank 0 (empty
// elsewhere).
std::vector<PointRecord> evaluate_distributed(mpi::World& w, PointEvaluator& ev, ThreadPool& pool, std::string& batch, int threads,
                                              const std::function<void(const std::vector<PointRecord>&)>& store) {
  mpi::Reader rd(batch);
  const uint64_t n = rd.u64();
  std::vector<Point> pts;
  std::vector<int> owner;
  for (uint64_t i = 0; i < n; ++i) {
    pts.push_back(get_point(rd));
    owner.push_back(static_cast<int>(rd.u64()));
    const double known = rd.f64();
    if (!std::isnan(known)) ev.set_accuracy(pts.back(), known);
  }
  const int rank = w.rank(), size = w.size();
  std::vector<Point> mine;
  std::vector<size_t> mine_at;
  for (size_t j = 0; j < pts.size(); ++j)
    if (owner[j] == rank) mine.push_back(pts[j]), mine_at.push_back(j);
  std::vector<PointRecord> recs = evaluate_here(ev, pool, mine, threads);
  if (rank != 0) {
    mpi::Writer wr;
    wr.u64(recs.size());
    for (const auto& r : recs) put_record(wr, r);
    w.send(0, wr.bytes);
    return {};
  }
  std::vector<PointRecord> all(pts.size());
  store(recs);
  for (size_t k = 0; k < recs.size(); ++k) all[mine_at[k]] = std::move(recs[k]);
  for (int r = 1; r < size; ++r) {
    const std::string b = w.receive(r);
    mpi::Reader rr(b);
    std::vector<PointRecord> theirs;
    for (uint64_t k = rr.u64(); k > 0; --k) theirs.push_back(get_record(rr));
    store(theirs);
    size_t k = 0;
    for (size_t j = 0; j < pts.size(); ++j)
      if (owner[j] == r) all[j] = std::move(theirs.at(k++));
  }
  return all;
}

// Commands from rank 0 to the other ranks.
constexpr char kBatch = 'B', kStop = 'S';

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
  for (;;) {
    std::string cmd;
    w.broadcast(cmd);
    if (cmd.empty() || cmd[0] != kBatch) break;
    cmd.erase(0, 1);
    res.evaluated += evaluate_distributed(w, *ev, pool, cmd, o.threads, nullptr).size();
  }
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
  ThreadPool pool(o.threads);
  size_t proposed = 0, done = 0;
  double map_total = 0;  // seconds of the points evaluated (MPI: to deal work)
  size_t map_n = 0;
  try {
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
      if (w && !todo_pts.empty()) {
        // Work estimates for dealing: measured per-point mapping and per-variant accuracy times so far.
        const double map_s = map_n ? map_total / static_cast<double>(map_n) : 0.05;
        const double acc_s = ev.accuracy_seconds() > 0 ? ev.accuracy_seconds() : 20 * map_s;
        const std::vector<int> owner = deal(ev, todo_pts, w->size(), acc_s, map_s);
        mpi::Writer wr;
        wr.bytes += kBatch;
        wr.u64(todo_pts.size());
        for (size_t i = 0; i < todo_pts.size(); ++i) {
          put_point(wr, todo_pts[i]);
          wr.u64(static_cast<uint64_t>(owner[i]));
          auto a = ev.cached_accuracy(todo_pts[i]);
          wr.f64(a ? *a : std::numeric_limits<double>::quiet_NaN());
        }
        w->broadcast(wr.bytes);
        std::string batch = wr.bytes.substr(1);
        fresh = evaluate_distributed(*w, ev, pool, batch, o.threads, [&](const std::vector<PointRecord>& rs) {
          store.put_many(rs);
          for (const auto& r : rs) {
            ev.remember(r);
            map_total += r.seconds, ++map_n;
          }
        });
      } else {
        fresh = evaluate_here(ev, pool, todo_pts, o.threads);
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
    if (w) {
      std::string stop(1, kStop);
      w->broadcast(stop);
    }
    throw;
  }
  if (w) {
    std::string stop(1, kStop);
    w->broadcast(stop);
  }
  res.front = pareto_points(store.all(), s.objectives);
  res.seconds = seconds_since(t0);
  return res;
}

}  // namespace coda::dse
