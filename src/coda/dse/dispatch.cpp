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
//   'A' point                                          measure this point's accuracy ahead
//   'S'                                                stop (the worker answers 'X' measured, evaluated)
// A worker to rank 0, after each message but 'S':
//   'R' batch, n, n x (index, record), m, kind, m x (point, accuracy)
//                                                      a report: results and accuracies (a unit's, or
//                                                      the outcome of measuring ahead: Ahead), and
//                                                      ready for more
// A worker reports with the number of the last batch it was sent; rank 0 answers only reports of the
// current batch (a report of an earlier one is followed at the worker by the current batch's 'B').
namespace {

constexpr size_t kMaxAheadVariants = 4096;  // larger spaces are not enumerated for measuring ahead

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

// What a report's accuracies are: a unit's, or the outcome of measuring ahead.
enum class Ahead : uint64_t { no = 0, measured = 1, failed = 2, given_up = 3 };

// A worker's end of its line to the dispatcher.
class Line {
 public:
  virtual ~Line() = default;
  virtual void send(const std::string& bytes) = 0;
  virtual std::string receive() = 0;  // waits
  virtual bool pending() = 0;         // a message is waiting
};

class MpiLine final : public Line {
 public:
  explicit MpiLine(mpi::World& w) : w_(w) {}
  void send(const std::string& bytes) override { w_.send(0, bytes); }
  std::string receive() override { return w_.receive(0); }
  bool pending() override { return w_.probe(0); }

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
  bool pending() override {
    std::lock_guard<std::mutex> lock(mu_);
    return !down_.empty();
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
  // accs: (point, accuracy) known here; `ahead`: whether and how they were measured ahead ('A').
  auto report = [&](const std::vector<size_t>& at, const std::vector<PointRecord>& recs, const std::vector<std::pair<Point, double>>& accs,
                    Ahead ahead) {
    mpi::Writer wr;
    wr.bytes += 'R';
    wr.u64(batch);
    wr.u64(recs.size());
    for (size_t k = 0; k < recs.size(); ++k) wr.u64(at[k]), put_record(wr, recs[k]);
    wr.u64(accs.size());
    wr.u64(static_cast<uint64_t>(ahead));
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
        report({}, {}, {}, Ahead::no);
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
        report(at, recs, accs, Ahead::no);
        break;
      }
      case 'A': {
        // Measuring ahead uses idle time only: it is given up when rank 0 sends anything (a new
        // batch, or stop), and reported as such (NaN, not measured).
        const Point p = get_point(rd);
        const std::optional<double> a = ev.measure_accuracy(p, [&] { return line.pending(); });
        report({}, {}, {{p, a ? *a : nan()}}, a ? Ahead::measured : line.pending() ? Ahead::given_up : Ahead::failed);
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

// One point per accuracy variant of the space (hardware knobs at their first value), in space order;
// empty when the space has more than kMaxAheadVariants of them.
std::vector<Point> accuracy_variants(const ExploreSpec& s) {
  size_t n = 1;
  for (const Knob& k : s.knobs) {
    if (k.hardware) continue;
    n *= k.values.size();
    if (n > kMaxAheadVariants) return {};
  }
  std::vector<Point> out;
  Point p(s.knobs.size(), 0.0);
  for (size_t i = 0; i < n; ++i) {
    size_t rest = i;
    for (size_t k = s.knobs.size(); k-- > 0;) {
      if (s.knobs[k].hardware) continue;
      p[k] = static_cast<double>(rest % s.knobs[k].values.size());
      rest /= s.knobs[k].values.size();
    }
    out.push_back(p);
  }
  return out;
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
  std::vector<Point> variants;               // the space's accuracy variants (for measuring ahead)
  std::map<std::string, int> in_flight;      // accuracy key -> the worker measuring it ahead
  std::set<std::string> ahead_keys, needed_keys;
  std::map<std::string, double> variant_macs;  // pruned variant -> MACs per inference (from records)
  std::vector<std::vector<double>> proposed;  // knob -> value -> points proposed with it, halved each batch (recent ones count most)
  uint64_t batch = 0;
  size_t ahead = 0, given_up = 0;  // accuracies measured ahead; measurements ahead given up

  // The batch being run.
  struct Unit {
    std::vector<size_t> points;
    std::string variant;
    int owner = -1;  // only this worker may take it (it is measuring the unit's accuracy ahead)
    bool taken = false;
  };
  std::vector<Point> pts;
  std::vector<Unit> units;
  std::set<std::string> batch_keys;
  size_t remaining = 0;

  // Busy time of each worker: from a message that gives it work to its report.
  using Clock = std::chrono::steady_clock;
  std::vector<std::optional<Clock::time_point>> busy_since;
  std::vector<double> busy_seconds;
  std::optional<Clock::time_point> first_batch;

  Impl(const ExploreSpec& spec, mpi::World& world, PointEvaluator& e, int t)
      : s(spec), w(world), ev(e), threads(t), local_ev(spec, t), local_pool(t), built(static_cast<size_t>(world.size())),
        busy_since(static_cast<size_t>(world.size())), busy_seconds(static_cast<size_t>(world.size()), 0.0) {
    if (ev.needs_accuracy()) variants = accuracy_variants(s);
    for (const Knob& k : s.knobs) proposed.emplace_back(k.values.size(), 0.0);
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

  // A variant to measure ahead, if one is likely enough to be needed. The optimizer's next points
  // are modelled as drawing each knob's value independently, with the frequencies of its recent
  // proposals (counts halved every batch, plus one); the most probable open variant is measured when
  // it would appear among the `remaining` points with probability >= 1/2 (a wasted measurement costs
  // what a used one saves). Ties go to a variant whose pruned model `worker` has built.
  std::optional<Point> ahead_for(int worker) {
    if (remaining == 0) return std::nullopt;
    const std::set<std::string>& mine = built[static_cast<size_t>(worker)];
    const Point* best = nullptr;
    double best_q = -1;
    bool best_built = false;
    for (const Point& v : variants) {
      const std::string key = ev.accuracy_key(v);
      if (in_flight.count(key) || batch_keys.count(key) || needed_keys.count(key) || ahead_keys.count(key) || ev.cached_accuracy(v))
        continue;
      double q = 1;
      for (size_t k = 0; k < s.knobs.size(); ++k) {
        if (s.knobs[k].hardware) continue;
        double total = 0;
        for (double c : proposed[k]) total += c + 1;
        q *= (proposed[k][static_cast<size_t>(v[k])] + 1) / total;
      }
      const bool b = mine.count(ev.variant_key(v)) > 0;
      if (q > best_q || (q == best_q && b && !best_built)) best = &v, best_q = q, best_built = b;
    }
    if (!best || 1 - std::pow(1 - best_q, static_cast<double>(remaining)) < 0.5) return std::nullopt;
    return *best;
  }

  // Work for a worker that reported idle during the current batch: a unit, a variant to measure
  // ahead, or nothing (it waits for the next batch).
  void give(int worker) {
    Unit* pick = nullptr;
    for (Unit& u : units) {
      if (u.taken || (u.owner >= 0 && u.owner != worker)) continue;
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
      return;
    }
    if (std::optional<Point> v = ahead_for(worker)) {
      in_flight[ev.accuracy_key(*v)] = worker;
      built[static_cast<size_t>(worker)].insert(ev.variant_key(*v));
      mpi::Writer wr;
      wr.bytes += 'A';
      put_point(wr, *v);
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
    const uint64_t accs = rd.u64();
    const uint64_t kind = rd.u64();
    CODA_CHECK(kind <= static_cast<uint64_t>(Ahead::given_up), "mpi report of an unknown kind");
    for (uint64_t k = accs; k > 0; --k) {
      const Point p = get_point(rd);
      const double a = rd.f64();
      if (kind != static_cast<uint64_t>(Ahead::no)) {
        const std::string key = ev.accuracy_key(p);
        in_flight.erase(key);
        if (kind == static_cast<uint64_t>(Ahead::measured)) ++ahead, ahead_keys.insert(key);
        if (kind == static_cast<uint64_t>(Ahead::failed)) ahead_keys.insert(key);  // not tried again
        if (kind == static_cast<uint64_t>(Ahead::given_up)) ++given_up;
      }
      if (!std::isnan(a)) ev.set_accuracy(p, a);
    }
    return b;
  }

  std::vector<PointRecord> run(const std::vector<Point>& batch_pts, size_t left, const std::function<void(const std::vector<PointRecord>&)>& store) {
    ++batch;
    if (!first_batch) first_batch = Clock::now();
    pts = batch_pts;
    remaining = left;
    mpi::Writer wr;
    wr.bytes += 'B';
    wr.u64(batch);
    wr.u64(pts.size());
    for (const Point& p : pts) put_point(wr, p), wr.f64(known(p));
    for (int r = 0; r < w.size(); ++r) send(r, wr.bytes);
    units.clear();
    batch_keys.clear();
    for (auto& counts : proposed)
      for (double& c : counts) c *= 0.5;
    for (const Point& p : pts) {
      const std::map<std::string, std::string> values = knob_values(s, p);  // as the evaluator rounds them
      for (size_t k = 0; k < s.knobs.size(); ++k) {
        const auto& vs = s.knobs[k].values;
        proposed[k][static_cast<size_t>(std::find(vs.begin(), vs.end(), values.at(s.knobs[k].name)) - vs.begin())] += 1;
      }
      if (!ev.needs_accuracy()) continue;
      const std::string k = ev.accuracy_key(p);
      batch_keys.insert(k);
      needed_keys.insert(k);
    }
    // A variant's work is its MACs per inference, known from any record of it; a variant not seen
    // yet counts as the largest (it also has its graph to build).
    auto work = [&](const Point& p) {
      auto it = variant_macs.find(ev.variant_key(p));
      return it == variant_macs.end() ? std::numeric_limits<double>::infinity() : it->second;
    };
    for (std::vector<size_t>& u : units_of(ev, pts, work)) {
      Unit unit;
      unit.variant = ev.variant_key(pts[u[0]]);
      if (ev.needs_accuracy()) {
        auto it = in_flight.find(ev.accuracy_key(pts[u[0]]));
        if (it != in_flight.end() && !ev.cached_accuracy(pts[u[0]])) unit.owner = it->second;
      }
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
        read_report(from, msg, got);  // a variant measured ahead that finished after the last batch
      }
    }
    if (local_thread.joinable()) local_thread.join();
    if (first_batch) {
      const double wall = std::chrono::duration<double>(Clock::now() - *first_batch).count();
      double busy = 0;
      for (double b : busy_seconds) busy += b;
      st.busy = wall > 0 ? busy / (wall * static_cast<double>(w.size())) : 0;
    }
    st.ahead = ahead;
    st.given_up = given_up;
    for (const std::string& k : ahead_keys) st.ahead_used += needed_keys.count(k);
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

std::vector<PointRecord> Dispatcher::run(const std::vector<Point>& pts, size_t remaining,
                                         const std::function<void(const std::vector<PointRecord>&)>& store) {
  return impl_->run(pts, remaining, store);
}

DispatchStats Dispatcher::finish() { return impl_->stop(true); }

}  // namespace coda::dse
