// The optimizers: Sobol against published values, grid enumeration, determinism, exhaustion and resume,
// NSGA-II on ZDT1 (30 variables) and a constrained problem, the BO on 6-variable ZDT1 against the true
// front's hypervolume and against random search.
#include "coda/dse/optimizer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <set>

#include "coda/core/error.h"
#include "coda/dse/pareto.h"
#include "coda/dse/sobol.h"

namespace coda::dse {
namespace {

using Kind = Variable::Kind;

// ---- Sobol ----

TEST(Sobol, FirstPointsOfThe2DSequenceArePublishedValues) {
  // Joe & Kuo's sequence (and SciPy's unscrambled qmc.Sobol(d=2)): 0, then (1/2,1/2), (3/4,1/4), ...
  const double expect[8][2] = {{0, 0},         {0.5, 0.5},     {0.75, 0.25},  {0.25, 0.75},
                               {0.375, 0.375}, {0.875, 0.875}, {0.625, 0.125}, {0.125, 0.625}};
  SobolSequence s(2);
  std::vector<double> u(2);
  for (auto& e : expect) {
    s.next(u);
    EXPECT_EQ(u[0], e[0]);
    EXPECT_EQ(u[1], e[1]);
  }
  // Dimension 3 (s = 2, a = 1, m = 1, 3): 0, 1/2, 1/4, 3/4, 5/8.
  SobolSequence s3(3);
  std::vector<double> v(3), third;
  for (int i = 0; i < 5; ++i) s3.next(v), third.push_back(v[2]);
  EXPECT_EQ(third, (std::vector<double>{0, 0.5, 0.25, 0.75, 0.625}));
  // skip_to lands on the same point as stepping.
  s.skip_to(5);
  s.next(u);
  EXPECT_EQ(u, (std::vector<double>{0.875, 0.875}));
}

TEST(Sobol, EveryDimensionIsStratifiedAndTheFirstTwoFormANet) {
  // The first 2^k points of any Sobol dimension hit each interval [j/2^k, (j+1)/2^k) exactly once
  // (the generator matrices are non-singular): a check of all 1000 rows of the direction-number file.
  const size_t dims = SobolSequence::kMaxDimensions, n = 256;
  for (bool scramble : {false, true}) {
    SobolSequence s(dims, scramble, 42);
    std::vector<double> u(dims);
    std::vector<std::vector<int>> hits(dims, std::vector<int>(n, 0));
    std::set<std::pair<int, int>> boxes;  // dims 0,1: (0,8,2)-net, elementary boxes 2^-a x 2^-(8-a)
    std::vector<std::vector<double>> first2;
    for (size_t i = 0; i < n; ++i) {
      s.next(u);
      for (size_t d = 0; d < dims; ++d) ++hits[d][static_cast<size_t>(u[d] * n)];
      first2.push_back({u[0], u[1]});
    }
    for (size_t d = 0; d < dims; ++d)
      for (size_t j = 0; j < n; ++j) ASSERT_EQ(hits[d][j], 1) << "dimension " << d + 1 << " scramble " << scramble;
    for (int a = 0; a <= 8; ++a) {
      std::set<std::pair<int, int>> cells;
      for (const auto& p : first2) cells.insert({static_cast<int>(p[0] * (1 << a)), static_cast<int>(p[1] * (1 << (8 - a)))});
      EXPECT_EQ(cells.size(), n) << "a = " << a;
    }
  }
  // Scrambling changes the points, deterministically by seed.
  SobolSequence a(3, true, 1), b(3, true, 1), c(3, true, 2), plain(3);
  std::vector<double> ua(3), ub(3), uc(3), up(3);
  for (int i = 0; i < 4; ++i) a.next(ua), b.next(ub), c.next(uc), plain.next(up);
  EXPECT_EQ(ua, ub);
  EXPECT_NE(ua, uc);
  EXPECT_NE(ua, up);
  EXPECT_THROW(SobolSequence(0), InvalidError);
  EXPECT_THROW(SobolSequence(1001), InvalidError);
}

// ---- problems ----

// ZDT1 (Zitzler, Deb, Thiele 2000) on [0,1]^n: f1 = x1, g = 1 + 9/(n-1) Σ_{i>1} x_i, f2 = g (1 - sqrt(f1/g)).
Outcome zdt1(const Point& x) {
  double s = 0;
  for (size_t i = 1; i < x.size(); ++i) s += x[i];
  const double g = 1 + 9 * s / static_cast<double>(x.size() - 1);
  return {{x[0], g * (1 - std::sqrt(x[0] / g))}, {}, false};
}

// The true ZDT1 front f2 = 1 - sqrt(f1), f1 in [0,1], dominates up to (1.1, 1.1):
// ∫_0^1 (1.1 - (1 - sqrt t)) dt + 0.1 · 1.1 = 0.1 + 2/3 + 0.11.
constexpr double kZdt1OptimalHv = 0.1 + 2.0 / 3.0 + 0.11;

std::vector<Variable> reals(size_t n) {
  std::vector<Variable> v;
  for (size_t i = 0; i < n; ++i) v.push_back({"x" + std::to_string(i), Kind::Real, 0, 1, {}});
  return v;
}

struct RunResult {
  double hv = 0;
  size_t evaluations = 0;
  std::vector<Point> points;
};

// Asks in batches of `batch` until `budget` evaluations; HV of the feasible evaluated points.
template <typename F>
RunResult run(Optimizer& opt, F&& f, size_t budget, size_t batch, const std::vector<double>& ref) {
  RunResult r;
  std::vector<std::vector<double>> feasible;
  while (r.evaluations < budget && !opt.done()) {
    std::vector<Point> pts = opt.ask(std::min(batch, budget - r.evaluations));
    if (pts.empty()) break;
    std::vector<Outcome> outs;
    for (const auto& p : pts) {
      outs.push_back(f(p));
      const Outcome& o = outs.back();
      bool ok = !o.failed;
      for (double c : o.constraints) ok = ok && c <= 0;
      if (ok) feasible.push_back(o.objectives);
      r.points.push_back(p);
    }
    r.evaluations += pts.size();
    opt.tell(pts, outs);
  }
  r.hv = hypervolume(feasible, ref);
  return r;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<Variable> mixed_vars() {
  return {{"width", Kind::Choice, 0, 0, {"32", "64", "128"}},
          {"layers", Kind::Integer, 6, 12, {}},
          {"clock", Kind::Real, 0.5, 1.0, {}}};
}

// A mixed toy problem: two objectives, one constraint.
Outcome toy(const Point& p) {
  const double w = p[0], l = p[1], c = p[2];
  return {{(w + 1) * l / c, 20 - l - 4 * w + c}, {l - 11.5}, false};
}

void expect_valid(const std::vector<Variable>& vars, const Point& p) {
  ASSERT_EQ(p.size(), vars.size());
  for (size_t j = 0; j < vars.size(); ++j) {
    const auto& v = vars[j];
    if (v.kind == Kind::Choice) {
      EXPECT_TRUE(p[j] >= 0 && p[j] < static_cast<double>(v.choices.size()) && p[j] == std::floor(p[j])) << v.name << " " << p[j];
    } else {
      EXPECT_TRUE(p[j] >= v.lo && p[j] <= v.hi) << v.name << " " << p[j];
      if (v.kind == Kind::Integer) {
        EXPECT_EQ(p[j], std::floor(p[j])) << v.name;
      }
    }
  }
}

// ---- grid ----

TEST(Grid, EnumeratesExactlyTheProductSpace) {
  std::vector<Variable> vars = {{"a", Kind::Integer, 1, 3, {}}, {"b", Kind::Choice, 0, 0, {"x", "y"}}, {"c", Kind::Real, 0, 1, {}}};
  OptimizerOptions o;
  o.steps = 3;
  auto grid = make_optimizer("grid", vars, 0, o);
  std::vector<Point> all;
  while (!grid->done()) {
    auto pts = grid->ask(5);
    all.insert(all.end(), pts.begin(), pts.end());
  }
  std::vector<Point> expect;
  for (double a : {1, 2, 3})
    for (double b : {0, 1})
      for (double c : {0.0, 0.5, 1.0}) expect.push_back({a, b, c});
  EXPECT_EQ(all, expect);  // in order, last variable fastest
  EXPECT_TRUE(grid->ask(3).empty());
  EXPECT_THROW(make_optimizer("grid", vars, 0), InvalidError);  // a real variable needs steps
}

TEST(Grid, ResumeSkipsToldPointsAndDuplicatesNothing) {
  std::vector<Variable> vars = {{"a", Kind::Integer, 0, 4, {}}, {"b", Kind::Choice, 0, 0, {"p", "q", "r"}}};
  auto first = make_optimizer("grid", vars, 0);
  auto done = first->ask(6);  // a crash after 6 points; 2 of them never finished
  std::vector<Point> stored(done.begin(), done.begin() + 4);
  stored.push_back({4, 2});  // a point stored out of order
  std::vector<Outcome> outs(stored.size(), Outcome{{1.0}, {}, false});
  auto resumed = make_optimizer("grid", vars, 0);
  resumed->tell(stored, outs);
  std::set<Point> seen(stored.begin(), stored.end());
  size_t asked = 0;
  while (!resumed->done()) {
    for (const auto& p : resumed->ask(4)) {
      EXPECT_TRUE(seen.insert(p).second) << "duplicate";
      ++asked;
    }
  }
  EXPECT_EQ(asked, 15u - 5u);
  EXPECT_EQ(seen.size(), 15u);
}

// ---- every optimizer ----

TEST(Optimizers, DeterministicForASeedAndValid) {
  auto vars = mixed_vars();
  OptimizerOptions o;
  o.population = 12;
  o.initial = 6;
  o.steps = 4;
  o.candidates = 300;
  for (const auto& name : optimizer_names()) {
    auto a = make_optimizer(name, vars, 7, o), b = make_optimizer(name, vars, 7, o), c = make_optimizer(name, vars, 8, o);
    auto ra = run(*a, toy, 40, 3, {100, 30});
    auto rb = run(*b, toy, 40, 3, {100, 30});
    auto rc = run(*c, toy, 40, 3, {100, 30});
    EXPECT_EQ(ra.points, rb.points) << name;
    if (name != "grid" && name != "sobol") {
      EXPECT_NE(ra.points, rc.points) << name;
    }
    std::set<Point> distinct(ra.points.begin(), ra.points.end());
    EXPECT_EQ(distinct.size(), ra.points.size()) << name << ": a point proposed twice";
    for (const auto& p : ra.points) expect_valid(vars, p);
    EXPECT_EQ(ra.evaluations, 40u) << name;
  }
  EXPECT_THROW(make_optimizer("annealing", vars, 0), InvalidError);
  EXPECT_THROW(make_optimizer("random", {}, 0), InvalidError);
  EXPECT_THROW(make_optimizer("random", {{"x", Kind::Integer, 0.5, 3, {}}}, 0), InvalidError);
  EXPECT_THROW(make_optimizer("random", {{"x", Kind::Real, 2, 1, {}}}, 0), InvalidError);
  EXPECT_THROW(make_optimizer("random", {{"x", Kind::Choice, 0, 0, {}}}, 0), InvalidError);
}

TEST(Optimizers, ExhaustAFiniteSpaceWithoutRepeats) {
  std::vector<Variable> vars = {{"a", Kind::Integer, 0, 3, {}}, {"b", Kind::Choice, 0, 0, {"p", "q", "r"}}};
  OptimizerOptions o;
  o.population = 4;
  o.initial = 3;
  for (const auto& name : optimizer_names()) {
    auto opt = make_optimizer(name, vars, 1, o);
    std::set<Point> seen;
    int rounds = 0;
    while (!opt->done() && rounds++ < 50) {
      auto pts = opt->ask(5);
      std::vector<Outcome> outs;
      for (const auto& p : pts) {
        EXPECT_TRUE(seen.insert(p).second) << name << ": repeated point";
        outs.push_back({{p[0] + p[1], 3 - p[0] * p[1]}, {}, p[0] == 2 && p[1] == 1});  // one failure
      }
      opt->tell(pts, outs);
    }
    EXPECT_TRUE(opt->done()) << name;
    EXPECT_EQ(seen.size(), 12u) << name;
    EXPECT_TRUE(opt->ask(2).empty()) << name;
  }
}

TEST(Optimizers, ResumeReplaysToldPointsAndContinues) {
  auto vars = mixed_vars();
  OptimizerOptions o;
  o.population = 10;
  o.initial = 5;
  o.candidates = 300;
  for (const auto& name : {"random", "sobol", "nsga2", "bo"}) {
    auto first = make_optimizer(name, vars, 3, o);
    auto r1 = run(*first, toy, 25, 5, {100, 30});
    // A fresh optimizer told the stored points (shuffled order) proposes none of them again.
    auto resumed = make_optimizer(name, vars, 3, o);
    std::vector<Point> stored(r1.points.rbegin(), r1.points.rend());
    std::vector<Outcome> outs;
    for (const auto& p : stored) outs.push_back(toy(p));
    resumed->tell(stored, outs);
    resumed->tell({stored[0]}, {toy(stored[0])});  // told twice: ignored
    std::set<Point> seen(stored.begin(), stored.end());
    auto more = resumed->ask(10);
    EXPECT_EQ(more.size(), 10u) << name;
    for (const auto& p : more) {
      EXPECT_TRUE(seen.insert(p).second) << name << ": re-proposed a stored point";
      expect_valid(vars, p);
    }
    // Random and Sobol continue their own sequence: the resumed run proposes what the first would have.
    if (std::string(name) == "random" || std::string(name) == "sobol") {
      auto more_first = first->ask(10);
      EXPECT_EQ(more, more_first) << name;
    }
  }
  auto opt = make_optimizer("random", vars, 0);
  EXPECT_THROW(opt->tell({{0, 6}}, {Outcome{{1}, {}, false}}), InvalidError);            // wrong size
  EXPECT_THROW(opt->tell({{3, 6, 0.7}}, {Outcome{{1}, {}, false}}), InvalidError);       // choice out of range
  EXPECT_THROW(opt->tell({{0, 6.5, 0.7}}, {Outcome{{1}, {}, false}}), InvalidError);     // non-integer
  opt->tell({{0, 6, 0.7}}, {Outcome{{1, 2}, {}, false}});
  EXPECT_THROW(opt->tell({{1, 6, 0.7}}, {Outcome{{1}, {}, false}}), InvalidError);       // objectives changed
  opt->tell({{2, 6, 0.7}}, {Outcome{{}, {}, true}});                                      // failed: any shape
}

// ---- NSGA-II ----

TEST(Nsga2, ZDT1WithThirtyVariablesReachesOnePercentOfTheOptimalHypervolume) {
  auto t0 = std::chrono::steady_clock::now();
  OptimizerOptions o;
  o.population = 100;
  auto opt = make_optimizer("nsga2", reals(30), 1, o);
  auto r = run(*opt, zdt1, 25000, 100, {1.1, 1.1});
  // The criterion is the archive of every evaluated point (what coda's results store holds); the last
  // generation alone (100 offspring of the final parents) is reported too.
  std::vector<std::vector<double>> last;
  for (size_t i = r.points.size() - 100; i < r.points.size(); ++i) last.push_back(zdt1(r.points[i]).objectives);
  const double last_hv = hypervolume(last, {1.1, 1.1});
  std::printf("NSGA-II ZDT1 (30 vars): HV %.5f (all points), %.5f (last generation) of optimal %.5f (%.2f%%, %.2f%%) with ref "
              "(1.1, 1.1), %zu evaluations, %.2f s\n",
              r.hv, last_hv, kZdt1OptimalHv, 100 * r.hv / kZdt1OptimalHv, 100 * last_hv / kZdt1OptimalHv, r.evaluations,
              seconds_since(t0));
  EXPECT_LE(r.evaluations, 25000u);
  EXPECT_GE(r.hv, 0.99 * kZdt1OptimalHv);
  EXPECT_GE(last_hv, 0.98 * kZdt1OptimalHv);  // offspring scatter around the final parents
  EXPECT_LT(r.hv, kZdt1OptimalHv);
}

TEST(Nsga2, ConstraintDominationKeepsThePopulationFeasible) {
  // min (x, y) subject to x + y >= 1: the front is the segment x + y = 1; HV to (1,1) is 1/2.
  auto f = [](const Point& p) { return Outcome{{p[0], p[1]}, {1 - p[0] - p[1]}, false}; };
  OptimizerOptions o;
  o.population = 40;
  auto opt = make_optimizer("nsga2", reals(2), 2, o);
  auto r = run(*opt, f, 4000, 40, {1, 1});
  EXPECT_GT(r.hv, 0.48);
  EXPECT_LE(r.hv, 0.5);
  // The last generation's children are feasible or nearly.
  auto last = opt->ask(40);
  int feasible = 0;
  for (const auto& p : last) feasible += p[0] + p[1] >= 1 - 1e-3;
  EXPECT_GT(feasible, 20);
}

// ---- Bayesian optimization ----

TEST(Bo, ZDT1WithSixVariablesWithinFivePercentIn200EvaluationsAndBeatsRandom) {
  const std::vector<double> ref = {1.1, 1.1}, wide = {1.1, 7.0};  // random search rarely gets f2 < 1.1
  OptimizerOptions o;
  o.reference = ref;
  auto t0 = std::chrono::steady_clock::now();
  auto bo = make_optimizer("bo", reals(6), 1, o);
  auto rb = run(*bo, zdt1, 200, 1, ref);
  const double bo_s = seconds_since(t0);
  std::vector<std::vector<double>> bo_objs;
  for (const auto& p : rb.points) bo_objs.push_back(zdt1(p).objectives);
  const double bo_wide = hypervolume(bo_objs, wide);
  double random_hv = 0, random_wide = 0;
  for (uint64_t seed : {1, 2, 3}) {
    auto rnd = make_optimizer("random", reals(6), seed, o);
    auto rr = run(*rnd, zdt1, 200, 1, ref);
    std::vector<std::vector<double>> objs;
    for (const auto& p : rr.points) objs.push_back(zdt1(p).objectives);
    random_hv = std::max(random_hv, rr.hv);
    random_wide = std::max(random_wide, hypervolume(objs, wide));
  }
  std::printf("BO ZDT1 (6 vars): HV %.5f of optimal %.5f (%.2f%%) in %zu evaluations, %.1f s; best of 3 random searches "
              "%.5f; with ref (1.1, 7): BO %.4f, random %.4f\n",
              rb.hv, kZdt1OptimalHv, 100 * rb.hv / kZdt1OptimalHv, rb.evaluations, bo_s, random_hv, bo_wide, random_wide);
  EXPECT_EQ(rb.evaluations, 200u);
  EXPECT_GE(rb.hv, 0.95 * kZdt1OptimalHv);
  EXPECT_GT(rb.hv, random_hv);
  EXPECT_GT(bo_wide, random_wide);
}

TEST(Bo, ThreeObjectivesBeatRandom) {
  // DTLZ2 (Deb, Thiele, Laumanns, Zitzler 2002), 3 objectives, 4 variables: the front is the positive
  // octant of the unit sphere; its HV to (1.1, 1.1, 1.1) is 1.1^3 - pi/6.
  auto dtlz2 = [](const Point& x) {
    const double g = (x[2] - 0.5) * (x[2] - 0.5) + (x[3] - 0.5) * (x[3] - 0.5), h = std::acos(-1.0) / 2;
    return Outcome{{(1 + g) * std::cos(x[0] * h) * std::cos(x[1] * h), (1 + g) * std::cos(x[0] * h) * std::sin(x[1] * h),
                    (1 + g) * std::sin(x[0] * h)},
                   {},
                   false};
  };
  const std::vector<double> ref = {1.1, 1.1, 1.1};
  const double optimal = 1.331 - std::acos(-1.0) / 6;
  OptimizerOptions o;
  o.reference = ref;
  auto t0 = std::chrono::steady_clock::now();
  auto bo = make_optimizer("bo", reals(4), 2, o);
  auto rb = run(*bo, dtlz2, 60, 2, ref);
  const double bo_s = seconds_since(t0);
  auto rnd = make_optimizer("random", reals(4), 2, o);
  auto rr = run(*rnd, dtlz2, 60, 2, ref);
  std::printf("BO DTLZ2 (3 objectives, 4 vars, batches of 2): HV %.4f of optimal %.4f in 60 evaluations, %.1f s; random %.4f\n",
              rb.hv, optimal, bo_s, rr.hv);
  EXPECT_GT(rb.hv, rr.hv);
  EXPECT_GT(rb.hv, 0.8 * optimal);
}

TEST(Bo, BatchesConstraintsAndFailures) {
  auto vars = mixed_vars();
  OptimizerOptions o;
  o.initial = 6;
  o.candidates = 500;
  auto opt = make_optimizer("bo", vars, 5, o);
  // Failures in one corner; constraint layers <= 11.5.
  auto f = [](const Point& p) {
    Outcome out = toy(p);
    out.failed = p[0] == 2 && p[2] > 0.9;
    return out;
  };
  auto r = run(*opt, f, 46, 4, {100, 30});
  EXPECT_EQ(r.evaluations, 46u);
  std::set<Point> distinct(r.points.begin(), r.points.end());
  EXPECT_EQ(distinct.size(), r.points.size());
  // The model phase favours feasible points: most of the last 20 have layers <= 11.
  int feasible = 0;
  for (size_t i = r.points.size() - 20; i < r.points.size(); ++i) feasible += r.points[i][1] <= 11;
  EXPECT_GE(feasible, 14);
  OptimizerOptions bad = o;
  bad.reference = {1, 2, 3};
  auto opt2 = make_optimizer("bo", vars, 5, bad);
  EXPECT_THROW(run(*opt2, f, 12, 4, {100, 30}), InvalidError);  // reference size != objectives
}

}  // namespace
}  // namespace coda::dse
