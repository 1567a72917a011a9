// The Bayesian optimizer's acquisition: hypervolume improvement and its expectation (EHVI) under
// independent Gaussian predictions, by a box decomposition of the non-dominated region.
//
// The region a new point y (all objectives minimized) can add to the hypervolume of a front F within
// the reference point r is cut into boxes ("columns"): a grid over the first m-1 objectives from the
// front's coordinates, and per grid cell with lower corner a the interval (-inf, u) of the last
// objective, u = min{p_m : p in F, p_j <= a_j for j < m} (or r_m). Then
//   HVI(y)  = Σ_cells Π_{j<m} (b_j - max(a_j, y_j))^+ · (u - y_m)^+
//   EHVI    = Σ_cells Π_{j<m} (ψ_j(b_j) - ψ_j(a_j)) · ψ_m(u),   ψ_j(c) = E[(c - Y_j)^+]
//           = (c - μ_j) Φ((c - μ_j)/σ_j) + σ_j φ((c - μ_j)/σ_j),
// exact because the objectives' predictions are independent and (b - max(a, Y))^+ = (b - Y)^+ - (a - Y)^+
// (the decomposition of Emmerich, Deutz, Klinkenberg 2011 / Yang et al. 2019, in its simplest grid
// form). For 2 objectives that is |F| + 1 boxes, O(|F|) per candidate. When the grid would exceed
// `max_cells` (many objectives and a large front), EHVI is estimated by Monte Carlo with a fixed seed:
//   EHVI = ∫ over the non-dominated part of [lo, r] of P(Y <= z) dz
// with `samples` uniform points z of the box [lo, r], lo = the front's ideal point minus one range
// (mass of Y below lo is neglected).
//
// The optimizer itself (make_optimizer("bo", ...), optimizer.h) works per ask like this:
// 1. Fewer than `initial` points told or asked: scrambled Sobol points (seeded).
// 2. Otherwise one GP (gp.h) per objective and per constraint, on the successful points, inputs in the
//    GP coding (optimizer_util.h: [0,1] per variable, choices ordinal), outputs standardized. The
//    hyperparameters are re-optimized (warm start from the last ones, plus `gp_restarts` random starts
//    every `gp_refit_every`-th time) when the data has grown by `gp_refit_growth` (10%) since the last
//    optimization; in between the GPs are only conditioned on the new data.
// 3. Acquisition = EHVI over the feasible observed front (reference: OptimizerOptions::reference, or the
//    worst feasible value + 10% of the observed range) × Π_c P(c <= 0). Maximised over `candidates`
//    scrambled Sobol points (a finite space of at most 4 × candidates points is enumerated instead),
//    then 3 rounds of Gaussian perturbation (scales 0.1, 0.03, 0.01) of the 8 best, then projected hill
//    climbing on the continuous relaxation (finite-difference gradient, steps clamped to [0,1], so
//    bounds are reached exactly) from the 5 best; the results are rounded to valid values and points
//    already seen are skipped. If every candidate has zero acquisition, the most uncertain one is taken.
// 4. ask(n > 1): the Kriging believer (Ginsbourger et al. 2010): after each chosen point the GPs are
//    conditioned on their own mean there (hyperparameters kept) and the front updated, n times.
//
//   dse::HypervolumeImprovement hvi({{1, 3}, {2, 1}}, {4, 4});
//   double gain = hvi.improvement(std::vector<double>{1.5, 1.5}.data());   // 0.75: the box [1.5,2) × [1.5,3)
//   double ehvi = hvi.expected(mean.data(), sd.data());
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace coda::dse {

class HypervolumeImprovement {
 public:
  // front: minimized objective vectors (dominated ones and those not strictly better than ref in every
  // objective are ignored; may be empty).
  HypervolumeImprovement(const std::vector<std::vector<double>>& front, const std::vector<double>& ref,
                         size_t max_cells = 50000, size_t samples = 1024, uint64_t seed = 0);

  bool exact() const { return exact_; }   // the box decomposition is used (else Monte Carlo)
  size_t cells() const { return cells_.size() / (m_ > 1 ? m_ - 1 : 1); }

  // Hypervolume a point y (m values) would add.
  double improvement(const double* y) const;
  // Expected improvement for Y_j ~ N(mean_j, sd_j²) independent (sd_j = 0: deterministic).
  double expected(const double* mean, const double* sd) const;

 private:
  size_t m_;
  std::vector<double> ref_;
  std::vector<std::vector<double>> front_;  // the non-dominated points strictly inside ref
  bool exact_ = true;
  // Exact: per axis j < m-1 the sorted cut points (front coordinates, then ref_j); cells_ holds, per
  // cell, the interval index per axis (interval k = [cut[k-1], cut[k]), cut[-1] = -inf); upper_ the
  // cell's u; upper_values_ the distinct u values and upper_index_ each cell's index into them.
  std::vector<std::vector<double>> cuts_;
  std::vector<uint32_t> cells_;
  std::vector<double> upper_;
  std::vector<double> upper_values_;
  std::vector<uint32_t> upper_index_;
  // Monte Carlo: the non-dominated sample points (row-major) and the weight volume / samples.
  std::vector<double> mc_points_;
  double mc_weight_ = 0;
  std::vector<size_t> offsets_;      // where each axis' terms start in psi_
  size_t psi_size_ = 0;
  mutable std::vector<double> psi_;  // scratch of expected(): interval terms per axis, then ψ_m per u value
                                     // (so one object serves one thread at a time)
};

}  // namespace coda::dse
