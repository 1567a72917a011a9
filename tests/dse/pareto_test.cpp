// Pareto front, non-dominated ranks, crowding distance, hypervolume and ideal-point choice, on
// hand-worked sets and against brute force (inclusion-exclusion, Monte Carlo).
#include "coda/dse/pareto.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <random>

#include "coda/core/error.h"

namespace coda::dse {
namespace {

using Points = std::vector<std::vector<double>>;

// Hypervolume by inclusion-exclusion over all subsets: Σ (-1)^{|S|+1} vol(∩_{p in S} [p, ref]).
double hv_inclusion_exclusion(const Points& pts, const std::vector<double>& ref) {
  const size_t n = pts.size(), d = ref.size();
  double total = 0;
  for (uint32_t mask = 1; mask < (1u << n); ++mask) {
    std::vector<double> corner(d, -std::numeric_limits<double>::infinity());
    for (size_t i = 0; i < n; ++i)
      if (mask >> i & 1u)
        for (size_t j = 0; j < d; ++j) corner[j] = std::max(corner[j], pts[i][j]);
    double vol = 1;
    for (size_t j = 0; j < d; ++j) vol *= std::max(0.0, ref[j] - corner[j]);
    total += (__builtin_popcount(mask) % 2 ? 1 : -1) * vol;
  }
  return total;
}

TEST(Pareto, FrontOfAHandMadeSetWithMixedSenses) {
  // accuracy (max), carbon (min)
  Points pts = {{0.91, 3.2}, {0.88, 1.1}, {0.80, 2.0}, {0.91, 3.5}, {0.70, 1.1}, {0.88, 1.1}, {0.95, 9.0}};
  std::vector<Sense> senses = {Sense::Maximize, Sense::Minimize};
  // 2 dominated by 1; 3 by 0; 4 by 1; 5 equals 1 (both kept).
  EXPECT_EQ(pareto_front(pts, senses), (std::vector<size_t>{0, 1, 5, 6}));
  EXPECT_EQ(pareto_front({}, senses), std::vector<size_t>{});
  EXPECT_EQ(pareto_front({{1, NAN}, {2, 2}}, {Sense::Minimize, Sense::Minimize}), std::vector<size_t>{1});
  EXPECT_THROW(pareto_front({{1, 2, 3}}, senses), InvalidError);
}

TEST(Pareto, FrontMatchesBruteForceOnRandomSets) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> v(0, 9);  // small range: many ties
  for (int trial = 0; trial < 50; ++trial) {
    const size_t m = 2 + trial % 3;
    Points pts(60, std::vector<double>(m));
    for (auto& p : pts)
      for (auto& x : p) x = v(rng);
    std::vector<size_t> expect;
    for (size_t i = 0; i < pts.size(); ++i) {
      bool dominated = false;
      for (size_t k = 0; k < pts.size(); ++k) dominated = dominated || dominates(pts[k], pts[i]);
      if (!dominated) expect.push_back(i);
    }
    EXPECT_EQ(pareto_front(pts, std::vector<Sense>(m, Sense::Minimize)), expect);
  }
}

TEST(Pareto, NondominatedRanksOfAHandMadeSet) {
  Points pts = {{1, 4}, {2, 2}, {4, 1}, {3, 3}, {4, 4}, {5, 5}, {2, 5}};
  EXPECT_EQ(nondominated_ranks(pts), (std::vector<int>{0, 0, 0, 1, 2, 3, 1}));
}

TEST(Pareto, ConstraintDomination) {
  // Feasible points come first whatever their objectives; infeasible ones by total violation
  // (equal violations: neither dominates).
  Points pts = {{0, 0}, {5, 5}, {1, 1}, {6, 6}, {0, 0}, {5, 4}};
  std::vector<double> viol = {2, 0, 1, 0, 1, 0};
  // Feasible: {5,4} < {5,5} < {6,6}; then {1,1} and {0,0} with violation 1 (tied); then violation 2.
  EXPECT_EQ(nondominated_ranks(pts, &viol), (std::vector<int>{4, 1, 3, 2, 3, 0}));
  // Without the violations the two {0,0} lead.
  EXPECT_EQ(nondominated_ranks(pts), (std::vector<int>{0, 3, 1, 4, 0, 2}));
}

TEST(Pareto, CrowdingDistanceByHand) {
  Points pts = {{9, 9}, {0, 4}, {1, 2}, {2, 1}, {4, 0}};
  std::vector<double> cd = crowding_distance(pts, {1, 2, 3, 4});
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(cd[0], inf);
  EXPECT_DOUBLE_EQ(cd[1], 2.0 / 4 + 3.0 / 4);  // f1 neighbours 0 and 2; f2 neighbours 1 and 4
  EXPECT_DOUBLE_EQ(cd[2], 3.0 / 4 + 2.0 / 4);
  EXPECT_EQ(cd[3], inf);
}

TEST(Pareto, HypervolumeByHand) {
  // 2-D: [1,4]x[3,4] (3) + [2,4]x[1,4] (6) - overlap [2,4]x[3,4] (2) = 7; a dominated point and a point
  // outside the reference box change nothing.
  EXPECT_DOUBLE_EQ(hypervolume({{1, 3}, {2, 1}}, {4, 4}), 7.0);
  EXPECT_DOUBLE_EQ(hypervolume({{1, 3}, {2, 1}, {3, 3}, {0.5, 4}, {5, 0}, {2, 1}}, {4, 4}), 7.0);
  EXPECT_DOUBLE_EQ(hypervolume({{2}, {3}}, {5}), 3.0);
  EXPECT_DOUBLE_EQ(hypervolume({}, {1, 1}), 0.0);
  // 3-D: three boxes of 6, pairwise overlaps of 2, triple overlap [3,4]^3 of 1: 18 - 6 + 1 = 13.
  EXPECT_DOUBLE_EQ(hypervolume({{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}, {4, 4, 4}), 13.0);
  // 3-D staircase: a point dominating the others' boxes.
  EXPECT_DOUBLE_EQ(hypervolume({{1, 2, 3}, {2, 3, 1}, {3, 1, 2}, {1, 1, 1}}, {4, 4, 4}), 27.0);
  // 4-D: [0,2]^4 and [1,2]x[1,2]x[0,2]x[0,2] inside it.
  EXPECT_DOUBLE_EQ(hypervolume({{0, 0, 0, 0}, {1, 1, 0, 0}}, {2, 2, 2, 2}), 16.0);
  // 4-D: two boxes of 2 overlapping in [1,2]^4 (1): 3.
  EXPECT_DOUBLE_EQ(hypervolume({{0, 1, 1, 1}, {1, 0, 1, 1}}, {2, 2, 2, 2}), 3.0);
  EXPECT_THROW(hypervolume({{1, 2}}, {3}), InvalidError);
}

TEST(Pareto, HypervolumeMatchesInclusionExclusion) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < 60; ++trial) {
    const size_t d = 2 + trial % 4, n = 1 + trial % 11;
    Points pts(n, std::vector<double>(d));
    for (auto& p : pts)
      for (auto& x : p) x = trial % 2 ? std::round(u(rng) * 4) / 4 : u(rng);  // odd trials: ties
    std::vector<double> ref(d, 1.0);
    EXPECT_NEAR(hypervolume(pts, ref), hv_inclusion_exclusion(pts, ref), 1e-12) << "trial " << trial;
  }
}

// Points on the positive unit sphere: all mutually non-dominated, the hard case for exact algorithms.
Points sphere_front(size_t n, size_t d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0, 1);
  Points pts(n, std::vector<double>(d));
  for (auto& p : pts) {
    double norm = 0;
    for (auto& x : p) x = std::fabs(g(rng)), norm += x * x;
    for (auto& x : p) x /= std::sqrt(norm);
  }
  return pts;
}

TEST(Pareto, HypervolumeOfLargeFrontsAgreesWithMonteCarlo) {
  for (size_t d : {3, 4}) {
    Points pts = sphere_front(300, d, 5 + d);
    std::vector<double> ref(d, 1.1);
    auto t0 = std::chrono::steady_clock::now();
    const double hv = hypervolume(pts, ref);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("hypervolume: 300 points in %zu objectives: %.6f in %.1f ms\n", d, hv, ms);
    // Monte Carlo over [0, ref]: the fraction of samples dominated by some point.
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0, 1.1);
    const int samples = 200000;
    int hits = 0;
    std::vector<double> z(d);
    for (int s = 0; s < samples; ++s) {
      for (auto& x : z) x = u(rng);
      for (const auto& p : pts) {
        size_t j = 0;
        while (j < d && p[j] <= z[j]) ++j;
        if (j == d) {
          ++hits;
          break;
        }
      }
    }
    const double box = std::pow(1.1, static_cast<double>(d)), est = box * hits / samples;
    const double se = box * std::sqrt(est / box * (1 - est / box) / samples);
    EXPECT_NEAR(hv, est, 5 * se);
    // Monotone: dropping points never increases the volume.
    Points half(pts.begin(), pts.begin() + 150);
    EXPECT_LT(hypervolume(half, ref), hv);
  }
}

TEST(Pareto, IdealPointChoice) {
  // Accuracy (max) and carbon (min): normalised, point 1 is at (0.273, 0) from the ideal (0, 0).
  Points pts = {{0.91, 3.2}, {0.88, 1.1}, {0.80, 2.0}};
  std::vector<Sense> senses = {Sense::Maximize, Sense::Minimize};
  EXPECT_EQ(ideal_point_choice(pts, senses), 1u);
  EXPECT_EQ(ideal_point_ranking(pts, senses), (std::vector<size_t>{1, 0, 2}));
  // Three minimized objectives; the knee point (0.3, 0.3, 0.3) beats the extremes.
  Points tri = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0.3, 0.3, 0.3}, {0.6, 0.6, 0.6}};
  EXPECT_EQ(ideal_point_choice(tri, std::vector<Sense>(3, Sense::Minimize)), 3u);
  // An objective equal everywhere does not count; ties go to the lower index.
  EXPECT_EQ(ideal_point_choice({{1, 5}, {0, 5}, {0, 5}}, {Sense::Minimize, Sense::Minimize}), 1u);
  EXPECT_THROW(ideal_point_choice({}, senses), InvalidError);
}

}  // namespace
}  // namespace coda::dse
