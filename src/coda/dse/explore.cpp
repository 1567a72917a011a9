#include "coda/dse/explore.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

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

// Splits a batch into units of work for the ranks, largest first: the points of an accuracy variant
// not measured yet form one unit (the rank that takes it measures the variant once, then maps them),
// ordered by the variant's MACs; every other point is a unit of its own, after them. Deterministic.
std::vector<std::vector<size_t>> units_of(PointEvaluator& ev, const std::vector<Point>& pts) {
  std::vector<std::pair<std::string, std::vector<size_t>>> groups;  // new variants, in batch order
  std::vector<std::vector<size_t>> units;
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
  std::vector<std::pair<double, size_t>> order;  // (-work, group)
  for (size_t g = 0; g < groups.size(); ++g) order.emplace_back(-ev.accuracy_work(pts[groups[g].second[0]]), g);
  std::stable_sort(order.begin(), order.end());
  for (const auto& [w, g] : order) units.push_back(std::move(groups[g].second));
  for (size_t i : free_points) units.push_back({i});
  return units;
}

std::string records_message(const std::vector<PointRecord>& recs, const std::vector<size_t>& at) {
  mpi::Writer wr;
  wr.u64(recs.size());
  for (size_t k = 0; k < recs.size(); ++k) wr.u64(at[k]), put_record(wr, recs[k]);
  return wr.bytes;
}

// The batch message (rank 0 broadcasts it): the points with the accuracies rank 0 knows for them.
std::vector<Point> read_batch(const std::string& batch, PointEvaluator& ev) {
  mpi::Reader rd(batch);
  std::vector<Point> pts(rd.u64());
  for (Point& p : pts) {
    p = get_point(rd);
    const double known = rd.f64();
    if (!std::isnan(known)) ev.set_accuracy(p, known);
  }
  return pts;
}

// A worker rank's part of a batch: it asks rank 0 for a unit (returning the records of the last one),
// evaluates it, and asks again until rank 0 answers with an empty unit.
size_t work_batch(mpi::World& w, PointEvaluator& ev, ThreadPool& pool, const std::string& batch, int threads) {
  const std::vector<Point> pts = read_batch(batch, ev);
  std::vector<PointRecord> recs;
  std::vector<size_t> at;
  size_t n = 0;
  for (;;) {
    w.send(0, records_message(recs, at));
    const std::string unit = w.receive(0);
    mpi::Reader rd(unit);
    at.assign(rd.u64(), 0);
    if (at.empty()) return n;
    std::vector<Point> mine;
    for (size_t& i : at) {
      i = rd.u64();
      CODA_CHECK(i < pts.size(), "mpi unit names a point outside the batch");
      mine.push_back(pts[i]);
    }
    recs = evaluate_here(ev, pool, mine, threads);
    n += recs.size();
  }
}

// The units of a batch not handed out yet. A rank asking for work gets the first (largest) unit of a
// variant it has built before, else the first unit: a variant's graph and calibration are then built
// on fewer ranks. Thread-safe (rank 0's evaluator thread and its main thread both take units).
class UnitQueue {
 public:
  UnitQueue(std::vector<std::vector<size_t>> units, std::vector<std::string> variants, std::vector<std::set<std::string>>& built)
      : units_(std::move(units)), variants_(std::move(variants)), built_(built), taken_(units_.size(), 0) {}
  // The next unit for `rank`, or nullopt when none is left.
  std::optional<std::vector<size_t>> take(int rank) {
    std::lock_guard<std::mutex> lock(mu_);
    std::set<std::string>& mine = built_[static_cast<size_t>(rank)];
    size_t pick = units_.size();
    for (size_t u = 0; u < units_.size(); ++u) {
      if (taken_[u]) continue;
      if (pick == units_.size()) pick = u;
      if (mine.count(variants_[u])) {
        pick = u;
        break;
      }
    }
    if (pick == units_.size()) return std::nullopt;
    taken_[pick] = 1;
    mine.insert(variants_[pick]);
    return units_[pick];
  }
  void close() {
    std::lock_guard<std::mutex> lock(mu_);
    std::fill(taken_.begin(), taken_.end(), 1);
  }

 private:
  std::mutex mu_;
  std::vector<std::vector<size_t>> units_;
  std::vector<std::string> variants_;
  std::vector<std::set<std::string>>& built_;
  std::vector<char> taken_;
};

// Rank 0's part of a batch: a thread of its own evaluates units while this thread hands the next unit
// (UnitQueue) to each worker that asks (dynamic scheduling: a rank that finishes early takes more) and stores
// every rank's records as they come. Nothing but waiting is done on this thread, and it sleeps while
// it waits. Returns the records in batch order.
std::vector<PointRecord> lead_batch(mpi::World& w, PointEvaluator& ev, ThreadPool& pool, const std::string& batch, int threads,
                                    std::vector<std::set<std::string>>& built,
                                    const std::function<void(const std::vector<PointRecord>&)>& store) {
  const std::vector<Point> pts = read_batch(batch, ev);
  std::vector<std::vector<size_t>> units = units_of(ev, pts);
  std::vector<std::string> variants;
  for (const auto& u : units) variants.push_back(ev.variant_key(pts[u[0]]));
  UnitQueue queue(std::move(units), std::move(variants), built);
  std::vector<PointRecord> all(pts.size());
  std::vector<char> have(pts.size(), 0);
  std::mutex mu;
  std::vector<std::pair<size_t, PointRecord>> local;  // rank 0's records not stored yet
  std::exception_ptr failed;
  std::atomic<bool> local_done{false};
  std::thread evaluator([&] {
    try {
      while (auto unit = queue.take(0)) {
        std::vector<Point> mine;
        for (size_t i : *unit) mine.push_back(pts[i]);
        std::vector<PointRecord> recs = evaluate_here(ev, pool, mine, threads);
        std::lock_guard<std::mutex> lock(mu);
        for (size_t k = 0; k < recs.size(); ++k) local.emplace_back((*unit)[k], std::move(recs[k]));
      }
    } catch (...) {
      failed = std::current_exception();
      queue.close();  // no more units start; the workers finish theirs
    }
    local_done.store(true);
  });
  std::vector<PointRecord> theirs;  // worker records, remembered after the batch (the evaluator is busy)
  auto keep = [&](std::vector<std::pair<size_t, PointRecord>>& got) {
    std::vector<PointRecord> rs;
    for (auto& [i, r] : got) {
      CODA_CHECK(i < pts.size() && !have[i], "mpi record for an unknown or finished point");
      have[i] = 1;
      all[i] = r;
      rs.push_back(std::move(r));
    }
    if (!rs.empty()) store(rs);
  };
  try {
    int released = 0, nap_us = 20;  // the nap grows to 1 ms while nothing happens
    for (bool drained = false; !(drained && released == w.size() - 1);) {
      drained = local_done.load();  // read before taking `local`: nothing is added after it is set
      std::vector<std::pair<size_t, PointRecord>> got;
      {
        std::lock_guard<std::mutex> lock(mu);
        got.swap(local);
      }
      keep(got);
      int from = 0;
      std::string msg;
      if (!w.try_receive(from, msg)) {
        if (!got.empty()) {
          nap_us = 20;
          continue;
        }
        mpi::nap(nap_us);
        continue;
      }
      nap_us = 20;
      mpi::Reader rd(msg);
      got.clear();
      for (uint64_t k = rd.u64(); k > 0; --k) {
        const size_t i = rd.u64();
        got.emplace_back(i, get_record(rd));
        theirs.push_back(got.back().second);
      }
      keep(got);
      mpi::Writer wr;
      if (auto unit = queue.take(from)) {
        wr.u64(unit->size());
        for (size_t i : *unit) wr.u64(i);
      } else {
        wr.u64(0);
        ++released;
      }
      w.send(from, wr.bytes);
    }
  } catch (...) {
    queue.close();
    evaluator.join();
    throw;
  }
  evaluator.join();
  if (failed) std::rethrow_exception(failed);
  for (const PointRecord& r : theirs) ev.remember(r);
  for (size_t i = 0; i < pts.size(); ++i) CODA_CHECK(have[i], "mpi batch ended with a point not evaluated");
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
    res.evaluated += work_batch(w, *ev, pool, cmd, o.threads);
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
  std::vector<std::set<std::string>> built(w ? static_cast<size_t>(w->size()) : 1);  // MPI: variants each rank has built
  size_t proposed = 0, done = 0;
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
        mpi::Writer wr;
        wr.bytes += kBatch;
        wr.u64(todo_pts.size());
        for (const Point& p : todo_pts) {
          put_point(wr, p);
          auto a = ev.cached_accuracy(p);
          wr.f64(a ? *a : std::numeric_limits<double>::quiet_NaN());
        }
        w->broadcast(wr.bytes);
        fresh = lead_batch(*w, ev, pool, wr.bytes.substr(1), o.threads, built, [&](const std::vector<PointRecord>& rs) { store.put_many(rs); });
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
