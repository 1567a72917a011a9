// Pareto tools for multi-objective results: the non-dominated front, NSGA-II's non-dominated ranks
// and crowding distance, the exact hypervolume, and SeQTO's ideal-point choice.
//
// A point is one value per objective. pareto_front and ideal_point_choice take each objective's sense;
// the NSGA-II helpers and hypervolume take objectives that are all minimized (negate a maximized one).
//
//   std::vector<std::vector<double>> pts = {{0.91, 3.2}, {0.88, 1.1}, {0.80, 2.0}};  // accuracy, carbon
//   std::vector<Sense> senses = {Sense::Maximize, Sense::Minimize};
//   auto front = dse::pareto_front(pts, senses);                  // {0, 1}: point 2 is dominated by 1
//   size_t pick = dse::ideal_point_choice(pts, senses);           // SeQTO's rule
//   double hv = dse::hypervolume({{1, 3}, {2, 1}}, {4, 4});      // 3*1 + 2*3 - 2*1 = 7 (all minimized)
//
// A point with a NaN objective is never on the front, never dominates and is ranked last. Points equal
// in every objective do not dominate each other: both are on the front.
#pragma once
#include <cstddef>
#include <vector>

namespace coda::dse {

enum class Sense { Minimize, Maximize };

// Indices of the non-dominated points (each point: one value per objective, in the given senses), in
// input order. O(n log n + n·|front|·m).
std::vector<size_t> pareto_front(const std::vector<std::vector<double>>& points, const std::vector<Sense>& senses);

// True when a (all objectives minimized) Pareto-dominates b: no worse in every objective, better in one.
bool dominates(const std::vector<double>& a, const std::vector<double>& b);

// NSGA-II's fast non-dominated sorting (Deb et al. 2002): rank 0 = the front, rank 1 = the front of the
// rest, ... With `violation` (one value per point: total constraint violation, 0 = feasible), constraint
// domination: a feasible point dominates an infeasible one; among infeasible points the smaller total
// violation dominates (equal violations: neither); among feasible points, Pareto dominance.
std::vector<int> nondominated_ranks(const std::vector<std::vector<double>>& minimized,
                                    const std::vector<double>* violation = nullptr);

// NSGA-II's crowding distance of the members of one front (indices into `minimized`), returned in the
// order of `front`: per objective, the members sorted by it, the two extremes get +infinity and each
// other member adds (next - previous) / (max - min) (nothing when max == min).
std::vector<double> crowding_distance(const std::vector<std::vector<double>>& minimized, const std::vector<size_t>& front);

// Hypervolume dominated by the points (all objectives minimized) up to `ref`: the measure of the union of
// the boxes [p, ref]. Exact: 1-D and 2-D by a sweep, more by WFG (While, Bradstreet, Barone, IEEE TEVC
// 16(1) 2012) with slicing on the last objective. Points not strictly better than ref in every
// objective contribute nothing. 300 points in 4 objectives take a few milliseconds.
double hypervolume(const std::vector<std::vector<double>>& minimized, const std::vector<double>& ref);

// SeQTO's choice (Louloudakis & Rajan, arXiv 2507.12196): min-max normalise each objective over the
// given points (to [0,1], 0 = best in its sense; an objective equal on all points contributes 0), and
// return the index of the point closest (Euclidean) to the ideal point (all zeros); ties go to the
// lower index. Pass the whole set (as SeQTO does) or just its front: normalisation is over what is
// passed. The chosen point is always non-dominated within the set.
size_t ideal_point_choice(const std::vector<std::vector<double>>& points, const std::vector<Sense>& senses);

// All indices ordered by that distance (closest first; SeQTO reports the first three of its front).
std::vector<size_t> ideal_point_ranking(const std::vector<std::vector<double>>& points, const std::vector<Sense>& senses);

}  // namespace coda::dse
