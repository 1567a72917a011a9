#include "coda/map/mapper.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>

#include "coda/core/error.h"
#include "coda/core/thread_pool.h"
#include "coda/map/evaluator.h"
#include "coda/map/search.h"

namespace coda::map {

namespace {

constexpr int kBuckets = 3 * kMaxLevels;  // (failure kind, level)

struct Unit {
  bool found = false;
  Cost cost;
  Mapping mapping;
  MappingId id;
  uint64_t evaluated = 0, valid = 0;
  uint64_t fail_count[kBuckets] = {};
  MappingId fail_example[kBuckets];
};

struct Scratch {
  Evaluator ev;
  Cost cost;
  Mapping m;
  Scratch(const workload::Problem& p, const hw::Architecture& a, const Mapspace& s) : ev(p, a), m(s.make_default()) {
    ev.prepare(cost);
  }
};

void run_unit(Search& search, const Mapspace& space, Scratch& sc, Objective obj, Unit& u) {
  MappingId id;
  EvalStatus st;
  while (search.next(id)) {
    ++u.evaluated;
    space.fill(id, sc.m);
    if (!sc.ev.fits(sc.m, st)) {
      int b = (static_cast<int>(st.fail) - 1) * kMaxLevels + st.level;
      if (u.fail_count[b]++ == 0) u.fail_example[b] = id;
      search.report(st, nullptr);
      continue;
    }
    sc.ev.complete(sc.m, sc.cost);
    ++u.valid;
    search.report(sc.cost.status, &sc.cost);
    if (!u.found || better(sc.cost, u.cost, obj)) {
      u.found = true;
      u.cost = sc.cost;
      u.mapping = sc.m;
      u.id = id;
    }
  }
}

// Runs units [0, n) on the pool, unit u searching with make(u), one scratch per thread. The
// results depend on the units only, not on which thread ran them.
template <class Make>
std::vector<Unit> run_units(ThreadPool& pool, const workload::Problem& p, const hw::Architecture& a,
                            const Mapspace& space, Objective obj, uint64_t n, Make make) {
  std::vector<Unit> results(static_cast<size_t>(n));
  std::vector<std::unique_ptr<Scratch>> free_list;
  std::mutex mu;
  pool.parallel_for(0, static_cast<int64_t>(n), 1, [&](int64_t lo, int64_t hi) {
    std::unique_ptr<Scratch> sc;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!free_list.empty()) sc = std::move(free_list.back()), free_list.pop_back();
    }
    if (!sc) sc = std::make_unique<Scratch>(p, a, space);
    for (int64_t u = lo; u < hi; ++u) {
      auto search = make(static_cast<uint64_t>(u));
      run_unit(*search, space, *sc, obj, results[static_cast<size_t>(u)]);
    }
    std::lock_guard<std::mutex> lock(mu);
    free_list.push_back(std::move(sc));
  });
  return results;
}

// Folds a unit into the result: strictly better replaces, so ties keep the earlier unit.
void merge(const Unit& u, MapperResult& r, MappingId& best_id, Objective obj) {
  r.evaluated += u.evaluated;
  r.valid += u.valid;
  if (u.found && (!r.found || better(u.cost, r.cost, obj))) {
    r.found = true;
    r.cost = u.cost;
    r.mapping = u.mapping;
    best_id = u.id;
  }
}

uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  return x ^ (x >> 31);
}

// Candidates an exhaustive search would propose (counted, or bounded from above when the bound is
// already within the limit), or infinity if too many to count.
double exhaustive_size(const Mapspace& space, double limit) {
  double factors = space.factor_space();
  double bypass = std::ldexp(1.0, space.bypass_bits());
  double bound = factors * bypass * std::ldexp(1.0, space.max_axis_bits());
  for (int i = 0; i < space.levels(); ++i) bound *= space.max_order_count(i);
  if (bound <= limit) return bound;
  if (factors * bypass > 4e7) return INFINITY;
  Mapping m = space.make_default();
  MappingId id;
  double total = 0;
  for (uint64_t f = 0; f < static_cast<uint64_t>(factors); ++f) {
    decode_factors(space, f, id);
    space.fill_factors(id, m);
    double axes = std::ldexp(1.0, space.axis_bits(m));
    for (uint64_t b = 0; b < (uint64_t{1} << space.bypass_bits()); ++b) {
      id.bypass = b;
      space.fill_bypass(id, m);
      double orders = 1;
      for (int i = 0; i < space.levels(); ++i) orders *= static_cast<double>(space.order_count(m, i));
      total += axes * orders;
    }
    if (total > limit * 16) return total;
  }
  return total;
}

}  // namespace

Mapper::Mapper(const workload::Problem& p, const hw::Architecture& a, const Constraints& c, const MapperOptions& o)
    : problem_(p), arch_(a), constraints_(c), options_(o) {}

MapperResult Mapper::run() const {
  auto t0 = std::chrono::steady_clock::now();
  MapperResult r;
  {
    // A layer larger than the backing store fails every mapping the same way: say so at once.
    Evaluator ev(problem_, arch_);
    ev.prepare(r.failure_cost);
    Mapping whole = Mapping::trivial(arch_.num_levels(), static_cast<int>(problem_.dims.size()),
                                     static_cast<int>(problem_.data_spaces.size()));
    whole.levels.back().temporal = problem_.bounds;
    for (size_t i = 0; i + 1 < whole.levels.size(); ++i) whole.levels[i].keep = 0;
    if (!ev.evaluate(whole, r.failure_cost) && r.failure_cost.status.level == arch_.num_levels() - 1) {
      r.failure = r.failure_cost.status;
      r.mapping = whole;
      return r;
    }
  }
  Mapspace space(problem_, arch_, constraints_);
  double size = options_.algorithm == MapperOptions::Algorithm::random ? INFINITY
                                                                        : exhaustive_size(space, static_cast<double>(options_.exhaustive_limit));
  bool exhaustive = options_.algorithm == MapperOptions::Algorithm::exhaustive ||
                    (options_.algorithm == MapperOptions::Algorithm::automatic && size <= static_cast<double>(options_.exhaustive_limit));
  if (exhaustive && !std::isfinite(size))
    throw UnsupportedError("mapper", "the mapspace is too large to search exhaustively; use random sampling");
  r.algorithm = exhaustive ? "exhaustive" : "random";
  r.mapspace_size = exhaustive ? size : static_cast<double>(options_.samples);
  // Work units depend on the mapspace and options only, never on the thread count.
  uint64_t total = exhaustive ? static_cast<uint64_t>(space.factor_space()) : options_.samples;
  uint64_t per_unit = exhaustive ? std::max<uint64_t>(1, (total + 1023) / 1024) : 2048;
  uint64_t units = (total + per_unit - 1) / per_unit;
  ThreadPool pool(options_.threads);
  std::vector<Unit> results = run_units(pool, problem_, arch_, space, options_.objective, units, [&](uint64_t u) {
    uint64_t first = u * per_unit, last = std::min(total, first + per_unit);
    return exhaustive ? std::unique_ptr<Search>(std::make_unique<ExhaustiveSearch>(space, first, last))
                      : std::unique_ptr<Search>(std::make_unique<RandomSearch>(space, options_.seed, first, last - first));
  });
  // The streaming mapping first: if the search finds nothing better (or nothing valid, as a random
  // search of a tightly constrained space may), it is the answer.
  MappingId best_id = space.streaming_id();
  {
    Scratch sc(problem_, arch_, space);
    space.fill(best_id, sc.m);
    if (sc.ev.evaluate(sc.m, sc.cost)) {
      r.found = true;
      r.cost = sc.cost;
      r.mapping = sc.m;
    }
  }
  uint64_t fail_count[kBuckets] = {};
  const MappingId* fail_example[kBuckets] = {};
  for (const Unit& u : results) {
    for (int b = 0; b < kBuckets; ++b) {
      if (u.fail_count[b] && !fail_example[b]) fail_example[b] = &u.fail_example[b];
      fail_count[b] += u.fail_count[b];
    }
    merge(u, r, best_id, options_.objective);
  }
  // Random sampling is refined by hill climbing: 8 chains, from the best draws of 8 different
  // units (the overall best first), merged in chain order.
  if (!exhaustive && r.found && options_.refine_steps > 0) {
    std::vector<const Unit*> starts;
    for (const Unit& u : results)
      if (u.found) starts.push_back(&u);
    std::stable_sort(starts.begin(), starts.end(),
                     [&](const Unit* x, const Unit* y) { return better(x->cost, y->cost, options_.objective); });
    const uint64_t chains = 8;
    for (const Unit& u : run_units(pool, problem_, arch_, space, options_.objective, chains, [&](uint64_t c) {
           const Unit* from = starts.empty() ? nullptr : starts[c % starts.size()];
           return std::make_unique<LocalSearch>(space, options_.objective, from ? from->id : best_id,
                                                from ? from->cost : r.cost, mix(options_.seed ^ (c + 1)),
                                                options_.refine_steps / chains);
         }))
      merge(u, r, best_id, options_.objective);
  }
  if (!r.found) {
    int worst = 0;
    for (int b = 1; b < kBuckets; ++b)
      if (fail_count[b] > fail_count[worst]) worst = b;
    if (fail_example[worst]) {
      Evaluator ev(problem_, arch_);
      ev.prepare(r.failure_cost);
      r.mapping = space.make_default();
      space.fill(*fail_example[worst], r.mapping);
      ev.evaluate(r.mapping, r.failure_cost);
      r.failure = r.failure_cost.status;
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace coda::map
