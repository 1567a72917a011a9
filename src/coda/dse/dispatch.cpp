#include "coda/dse/dispatch.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "coda/core/error.h"

namespace coda::dse {

// Messages. Rank 0 to a worker:
//   'B' batch, n, n x (point, known accuracy or NaN)   a new batch (a worker answers it with a report)
//   'U' n, n x (index, known accuracy or NaN)          a unit: evaluate these points of the batch
//   'S'                                                stop (the worker answers 'X' measured, evaluated)
// A worker to rank 0, after each message but 'S':
//   'R' batch, n, n x (index, record), m, m x (point, accuracy)
//                                                      a report: results and the unit's accuracy, and
//                                                      ready for more
// A worker reports with the number of the last batch it was sent; rank 0 answers only reports of the
// current batch (a report of an earlier one is followed at the worker by the current batch's 'B').
namespace {

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
  const uint64_t n = rd.u64();
  CODA_CHECK(n <= 4096, "mpi message: a point of too many knobs");
  Point p(n);
  for (double& x : p) x = rd.f64();
  return p;
}
double nan() { return std::numeric_limits<double>::quiet_NaN(); }

// A worker's end of its line to the dispatcher.
class Line {
 public:
  virtual ~Line() = default;
  virtual void send(const std::string& bytes) = 0;
  virtual std::string receive() = 0;  // waits
};

class MpiLine final : public Line {
 public:
  explicit MpiLine(mpi::World& w) : w_(w) {}
  void send(const std::string& bytes) override { w_.send(0, bytes); }
  std::string receive() override { return w_.receive(0); }

 private:
  mpi::World& w_;
};

// Rank 0's worker thread and the dispatcher, in one process.
class LocalLine final : public Line {
 public:
  void send(const std::string& bytes) override {
    std::lock_guard<std::mutex> lock(mu_);
    up_.push_back(bytes);
  }
  std::string receive() override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !down_.empty(); });
    std::string m = std::move(down_.front());
    down_.pop_front();
    return m;
  }
  // The dispatcher's end.
  void post(const std::string& bytes) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      down_.push_back(bytes);
    }
    cv_.notify_one();
  }
  bool poll(std::string& bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (up_.empty()) return false;
    bytes = std::move(up_.front());
    up_.pop_front();
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> down_, up_;
};

// The worker loop (rank 0's thread and every other rank).
size_t serve_line(Line& line, PointEvaluator& ev, ThreadPool& pool, int threads) {
  std::vector<Point> pts;
  uint64_t batch = 0;
  size_t evaluated = 0;
  // accs: (point, accuracy) known here.
  auto report = [&](const std::vector<size_t>& at, const std::vector<PointRecord>& recs, const std::vector<std::pair<Point, double>>& accs) {
    mpi::Writer wr;
    wr.bytes += 'R';
    wr.u64(batch);
    wr.u64(recs.size());
    for (size_t k = 0; k < recs.size(); ++k) wr.u64(at[k]), put_record(wr, recs[k]);
    wr.u64(accs.size());
    for (const auto& [p, a] : accs) put_point(wr, p), wr.f64(a);
    line.send(wr.bytes);
  };
  for (;;) {
    const std::string msg = line.receive();
    CODA_CHECK(!msg.empty(), "empty mpi message");
    mpi::Reader rd(msg);
    rd.skip(1);
    switch (msg[0]) {
      case 'B': {
        batch = rd.u64();
        pts.assign(rd.u64(), Point{});
        for (Point& p : pts) {
          p = get_point(rd);
          if (const double a = rd.f64(); !std::isnan(a)) ev.set_accuracy(p, a);
        }
        report({}, {}, {});
        break;
      }
      case 'U': {
        std::vector<size_t> at(rd.u64());
        std::vector<Point> mine;
        for (size_t& i : at) {
          i = rd.u64();
          CODA_CHECK(i < pts.size(), "mpi unit names a point outside the batch");
          if (const double a = rd.f64(); !std::isnan(a)) ev.set_accuracy(pts[i], a);
          mine.push_back(pts[i]);
        }
        const std::vector<PointRecord> recs = evaluate_points(ev, pool, mine, threads);
        evaluated += recs.size();
        // The unit's accuracy also when its records carry none (a point that no mapping fits): rank 0
        // then never has it measured again.
        std::vector<std::pair<Point, double>> accs;
        if (ev.needs_accuracy())
          if (const std::optional<double> a = ev.cached_accuracy(mine[0])) accs.emplace_back(mine[0], *a);
        report(at, recs, accs);
        break;
      }
      case 'S': {
        mpi::Writer wr;
        wr.bytes += 'X';
        wr.u64(ev.accuracies_measured());
        wr.u64(evaluated);
        line.send(wr.bytes);
        return evaluated;
      }
      default:
        CODA_CHECK(false, "unknown mpi message");
    }
  }
}

// Splits a batch into units, largest first: the points of an accuracy variant not measured yet form
// one unit (its taker measures the variant once, then maps them), ordered by `work` of the variant
// (descending); every other point is a unit of its own, after them. Deterministic.
std::vector<std::vector<size_t>> units_of(const PointEvaluator& ev, const std::vector<Point>& pts,
                                          const std::function<double(const Point&)>& work) {
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
  for (size_t g = 0; g < groups.size(); ++g) order.emplace_back(-work(pts[groups[g].second[0]]), g);
  std::stable_sort(order.begin(), order.end());
  for (const auto& [w, g] : order) units.push_back(std::move(groups[g].second));
  for (size_t i : free_points) units.push_back({i});
  return units;
}

}  // namespace

std::vector<PointRecord> evaluate_points(PointEvaluator& ev, ThreadPool& pool, const std::vector<Point>& pts, int threads) {
  for (const Point& p : pts) ev.prepare(p);
  std::vector<PointRecord> out(pts.size());
  const int mapper_threads = pts.size() > 1 ? 1 : threads;
  pool.parallel_for(0, static_cast<int64_t>(pts.size()), 1, [&](int64_t lo, int64_t hi) {
    for (int64_t k = lo; k < hi; ++k) out[static_cast<size_t>(k)] = ev.evaluate(pts[static_cast<size_t>(k)], mapper_threads);
  });
  return out;
}

size_t serve(mpi::World& w, PointEvaluator& ev, ThreadPool& pool, int threads) {
  MpiLine line(w);
  return serve_line(line, ev, pool, threads);
}

struct Dispatcher::Impl {
  const ExploreSpec& s;
  mpi::World& w;
  PointEvaluator& ev;  // the main thread's: keys, work estimates, known accuracies
  int threads;
  // Rank 0's worker (worker 0; worker r > 0 is rank r).
  PointEvaluator local_ev;
  ThreadPool local_pool;
  LocalLine local;
  std::thread local_thread;
  std::exception_ptr local_failed;   // set by the worker thread before local_dead
  std::atomic<bool> local_dead{false};
  bool stopped = false;

  std::vector<std::set<std::string>> built;  // pruned variants each worker has built
  std::map<std::string, double> variant_macs;  // pruned variant -> MACs per inference (from records)
  uint64_t batch = 0;

  // The batch being run.
  struct Unit {
    std::vector<size_t> points;
    std::string variant;
    bool measures = false;  // its taker measures the variant's accuracy first
    bool taken = false;
  };
  std::vector<Point> pts;
  std::vector<Unit> units;

  // Busy time of each worker: from a message that gives it work to its report.
  using Clock = std::chrono::steady_clock;
  std::vector<std::optional<Clock::time_point>> busy_since;
  std::vector<double> busy_seconds;
  std::optional<Clock::time_point> first_batch;

  Impl(const ExploreSpec& spec, mpi::World& world, PointEvaluator& e, int t)
      : s(spec), w(world), ev(e), threads(t), local_ev(spec, t), local_pool(t), built(static_cast<size_t>(world.size())),
        busy_since(static_cast<size_t>(world.size())), busy_seconds(static_cast<size_t>(world.size()), 0.0) {
    local_thread = std::thread([this] {
      try {
        serve_line(local, local_ev, local_pool, threads);
      } catch (...) {
        local_failed = std::current_exception();
        local_dead.store(true, std::memory_order_release);
      }
    });
  }

  void send(int worker, const std::string& bytes) {
    if (!busy_since[static_cast<size_t>(worker)]) busy_since[static_cast<size_t>(worker)] = Clock::now();
    if (worker == 0) local.post(bytes);
    else w.send(worker, bytes);
  }
  // The next message from any worker, waiting (politely) for one.
  std::pair<int, std::string> receive() {
    for (int us = 20;; mpi::nap(us)) {
      std::string msg;
      if (local.poll(msg)) return {0, std::move(msg)};
      int from = 0;
      if (w.try_receive(from, msg)) return {from, std::move(msg)};
      if (local_dead.load(std::memory_order_acquire)) std::rethrow_exception(local_failed);
    }
  }

  // A point's accuracy as known on rank 0 now (NaN: not known).
  double known(const Point& p) const {
    const std::optional<double> a = ev.cached_accuracy(p);
    return a ? *a : nan();
  }

  // Work for a worker that reported idle during the current batch: the largest unit left, or among
  // units of its kind (measuring a variant, or one point) one of a pruned variant the worker has built
  // (its graph and calibration are reused); nothing when none is left (it waits for the next batch).
  void give(int worker) {
    Unit* pick = nullptr;
    for (Unit& u : units) {
      if (u.taken || (pick && u.measures != pick->measures)) continue;
      if (!pick) pick = &u;
      if (built[static_cast<size_t>(worker)].count(u.variant)) {
        pick = &u;
        break;
      }
    }
    if (pick) {
      pick->taken = true;
      built[static_cast<size_t>(worker)].insert(pick->variant);
      mpi::Writer wr;
      wr.bytes += 'U';
      wr.u64(pick->points.size());
      for (size_t i : pick->points) wr.u64(i), wr.f64(known(pts[i]));
      send(worker, wr.bytes);
    }
  }

  // Reads a report; returns its batch number. Records go to `got` (index, record).
  uint64_t read_report(int from, const std::string& msg, std::vector<std::pair<size_t, PointRecord>>& got) {
    CODA_CHECK(!msg.empty() && msg[0] == 'R', "mpi: expected a worker's report");
    if (auto& since = busy_since[static_cast<size_t>(from)]) {
      busy_seconds[static_cast<size_t>(from)] += std::chrono::duration<double>(Clock::now() - *since).count();
      since.reset();
    }
    mpi::Reader rd(msg);
    rd.skip(1);
    const uint64_t b = rd.u64();
    for (uint64_t k = rd.u64(); k > 0; --k) {
      const size_t i = rd.u64();
      got.emplace_back(i, get_record(rd));
    }
    for (uint64_t k = rd.u64(); k > 0; --k) {
      const Point p = get_point(rd);
      const double a = rd.f64();
      if (!std::isnan(a)) ev.set_accuracy(p, a);
    }
    return b;
  }

  std::vector<PointRecord> run(const std::vector<Point>& batch_pts, const std::function<void(const std::vector<PointRecord>&)>& store) {
    ++batch;
    if (!first_batch) first_batch = Clock::now();
    pts = batch_pts;
    mpi::Writer wr;
    wr.bytes += 'B';
    wr.u64(batch);
    wr.u64(pts.size());
    for (const Point& p : pts) put_point(wr, p), wr.f64(known(p));
    for (int r = 0; r < w.size(); ++r) send(r, wr.bytes);
    units.clear();
    // A variant's work is its MACs per inference, known from any record of it; a variant not seen
    // yet counts as the largest (it also has its graph to build).
    auto work = [&](const Point& p) {
      auto it = variant_macs.find(ev.variant_key(p));
      return it == variant_macs.end() ? std::numeric_limits<double>::infinity() : it->second;
    };
    for (std::vector<size_t>& u : units_of(ev, pts, work)) {
      Unit unit;
      unit.variant = ev.variant_key(pts[u[0]]);
      unit.measures = ev.needs_accuracy() && !ev.cached_accuracy(pts[u[0]]);
      unit.points = std::move(u);
      units.push_back(std::move(unit));
    }
    std::vector<PointRecord> all(pts.size());
    std::vector<char> have(pts.size(), 0);
    size_t missing = pts.size();
    while (missing > 0) {
      auto [from, msg] = receive();
      std::vector<std::pair<size_t, PointRecord>> got;
      const uint64_t b = read_report(from, msg, got);
      CODA_CHECK(got.empty() || b == batch, "mpi records of an earlier batch");
      std::vector<PointRecord> rs;
      for (auto& [i, r] : got) {
        CODA_CHECK(i < pts.size() && !have[i], "mpi record for an unknown or finished point");
        have[i] = 1;
        --missing;
        ev.remember(r);  // its accuracy: sent with later batches
        if (auto m = r.metrics.find("macs"); m != r.metrics.end()) variant_macs[ev.variant_key(pts[i])] = m->second;
        all[i] = r;
        rs.push_back(std::move(r));
      }
      if (!rs.empty()) store(rs);
      if (b == batch && missing > 0) give(from);
    }
    return all;
  }

  // Sends 'S' to every worker; with `wait`, gathers their answers.
  DispatchStats stop(bool wait) {
    DispatchStats st;
    if (stopped) return st;
    stopped = true;
    for (int r = 0; r < w.size(); ++r) send(r, std::string(1, 'S'));
    if (wait) {
      for (int left = w.size(); left > 0;) {
        auto [from, msg] = receive();
        if (!msg.empty() && msg[0] == 'X') {
          mpi::Reader rd(msg);
          rd.skip(1);
          st.measured += rd.u64();
          st.evaluated += rd.u64();
          --left;
          continue;
        }
        std::vector<std::pair<size_t, PointRecord>> got;
        read_report(from, msg, got);  // a report that crossed the stop
      }
    }
    if (local_thread.joinable()) local_thread.join();
    if (first_batch) {
      const double wall = std::chrono::duration<double>(Clock::now() - *first_batch).count();
      double busy = 0;
      for (double b : busy_seconds) busy += b;
      st.busy = wall > 0 ? busy / (wall * static_cast<double>(w.size())) : 0;
    }
    return st;
  }
};

Dispatcher::Dispatcher(const ExploreSpec& s, mpi::World& w, PointEvaluator& ev, int threads)
    : impl_(std::make_unique<Impl>(s, w, ev, threads)) {}

Dispatcher::~Dispatcher() {
  try {
    impl_->stop(false);
  } catch (...) {  // an error on rank 0 is already on its way out
  }
  if (impl_->local_thread.joinable()) impl_->local_thread.join();
}

std::vector<PointRecord> Dispatcher::run(const std::vector<Point>& pts, const std::function<void(const std::vector<PointRecord>&)>& store) {
  return impl_->run(pts, store);
}

DispatchStats Dispatcher::finish() { return impl_->stop(true); }

}  // namespace coda::dse
