// The "bo" optimizer: Sobol start, then GP surrogates and EHVI × probability of feasibility (bo.h).
#include "coda/dse/bo.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "coda/core/error.h"
#include "coda/core/random.h"
#include "coda/dse/gp.h"
#include "coda/dse/optimizer_util.h"
#include "coda/dse/sobol.h"

namespace coda::dse {
namespace {

constexpr size_t kLocalSeeds = 8, kPerturbations = 16;
constexpr double kLocalScales[] = {0.1, 0.03, 0.01};
constexpr size_t kAscentSeeds = 5, kAscentSteps = 40;

class Bo final : public OptimizerBase {
 public:
  Bo(const std::vector<Variable>& vars, uint64_t seed, const OptimizerOptions& opt)
      : OptimizerBase(vars), dims_(vars.size()), seed_(seed), opt_(opt),
        initial_(opt.initial ? opt.initial : 2 * vars.size() + 2),
        candidates_(opt.candidates ? opt.candidates : std::clamp<size_t>(200 * vars.size(), 1000, 4000)),
        sobol_(vars.size(), true, splitmix64(seed)), u_(vars.size()) {
    if (opt.gp_refit_every == 0) throw InvalidError("bo", "gp_refit_every must be at least 1");
    if (!(opt.gp_refit_growth >= 0)) throw InvalidError("bo", "gp_refit_growth must be >= 0");
  }

  std::vector<Point> ask(size_t n) override {
    if (shape_known_ && !opt_.reference.empty() && opt_.reference.size() != objectives_)
      throw InvalidError("bo", format("reference point has %zu values for %zu objectives", opt_.reference.size(), objectives_));
    std::vector<Point> out;
    while (out.size() < n && !exhausted() && (told_ + outstanding_.size() < initial_ || data_z_.size() < 2)) {
      Point p;
      if (!next_sobol(p)) break;
      out.push_back(p);
      outstanding_.insert(p);
    }
    if (out.size() == n || exhausted() || data_z_.size() < 2) return out;
    fit_models();
    Front front = observed_front();
    for (size_t b = out.size(); b < n && !exhausted(); ++b) {
      Pick pick;
      if (!choose(front, b, pick)) {  // every candidate seen: a large finite space nearly exhausted
        if (!first_unseen(pick.point)) break;
        pick.z.resize(dims_);
        for (size_t j = 0; j < dims_; ++j) pick.z[j] = encode_gp(vars_[j], pick.point[j]);
      }
      out.push_back(pick.point);
      outstanding_.insert(pick.point);
      if (b + 1 < n) believe(pick, front);  // Kriging believer
    }
    ++model_asks_;
    return out;
  }

  void tell(const std::vector<Point>& points, const std::vector<Outcome>& outcomes) override {
    for (size_t i : record(points, outcomes)) {
      outstanding_.erase(points[i]);
      const Outcome& o = outcomes[i];
      auto bad = [](double v) { return !std::isfinite(v); };
      if (o.failed || std::any_of(o.objectives.begin(), o.objectives.end(), bad) ||
          std::any_of(o.constraints.begin(), o.constraints.end(), bad))
        continue;
      std::vector<double> z(dims_);
      for (size_t j = 0; j < dims_; ++j) z[j] = encode_gp(vars_[j], points[i][j]);
      data_z_.push_back(std::move(z));
      data_f_.push_back(o.objectives);
      data_c_.push_back(o.constraints);
    }
  }

 private:
  struct Front {
    std::vector<std::vector<double>> points;  // feasible objective vectors (observed, then believed)
    std::vector<double> ref;
  };
  struct Pick {
    Point point;
    std::vector<double> z;
  };

  bool next_sobol(Point& p) {
    p.resize(dims_);
    for (int attempt = 0; attempt < 1000; ++attempt) {
      sobol_.next(u_);
      for (size_t j = 0; j < dims_; ++j) p[j] = decode_unit(vars_[j], u_[j]);
      if (propose(p)) return true;
    }
    return first_unseen(p);
  }

  size_t outputs() const { return objectives_ + constraints_; }

  void fit_models() {
    const size_t n = data_z_.size();
    Eigen::MatrixXd X(n, dims_);
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < dims_; ++j) X(i, j) = data_z_[i][j];
    gps_.resize(outputs());
    hyper_.resize(outputs());
    // Hyperparameters are re-optimized when the data has grown enough; in between the GPs are only
    // conditioned on the new data.
    const size_t grown = std::max<size_t>(1, static_cast<size_t>(opt_.gp_refit_growth * static_cast<double>(last_fit_n_)));
    const bool optimize = last_fit_n_ == 0 || n >= last_fit_n_ + grown;
    const bool restart = optimize && fits_ % opt_.gp_refit_every == 0;
    if (optimize) last_fit_n_ = n, ++fits_;
    Eigen::VectorXd y(n);
    for (size_t k = 0; k < outputs(); ++k) {
      for (size_t i = 0; i < n; ++i) y[i] = k < objectives_ ? data_f_[i][k] : data_c_[i][k - objectives_];
      if (!optimize) {
        gps_[k].condition(X, y, hyper_[k]);
        continue;
      }
      GpFitOptions fo;
      fo.restarts = restart ? opt_.gp_restarts : 0;
      fo.seed = splitmix64(seed_ ^ (0x9e37ull * (n + 1) + k));
      gps_[k].fit(X, y, fo, hyper_[k].log_lengthscales.empty() ? nullptr : &hyper_[k]);
      hyper_[k] = gps_[k].hyperparameters();
    }
  }

  Front observed_front() const {
    Front f;
    for (size_t i = 0; i < data_f_.size(); ++i) {
      bool feasible = std::all_of(data_c_[i].begin(), data_c_[i].end(), [](double c) { return c <= 0; });
      if (feasible) f.points.push_back(data_f_[i]);
    }
    if (!opt_.reference.empty()) {
      f.ref = opt_.reference;
      return f;
    }
    // Default reference: the worst feasible value (all values when none is feasible) + 10% of the range.
    const auto& src = f.points.empty() ? data_f_ : f.points;
    f.ref.resize(objectives_);
    for (size_t j = 0; j < objectives_; ++j) {
      double lo = std::numeric_limits<double>::infinity(), hi = -lo;
      for (const auto& p : src) lo = std::min(lo, p[j]), hi = std::max(hi, p[j]);
      const double margin = hi > lo ? 0.1 * (hi - lo) : (hi != 0 ? 0.1 * std::fabs(hi) : 1.0);
      f.ref[j] = hi + margin;
    }
    return f;
  }

  // Candidate inputs for one choice: the whole unseen space when small, else scrambled Sobol points.
  void make_candidates(uint64_t stream, std::vector<Point>& pts, Eigen::MatrixXd& Z) {
    pts.clear();
    if (space_size_ != 0 && space_size_ <= 4 * candidates_) {
      std::vector<size_t> digits(dims_, 0);
      Point p(dims_);
      for (uint64_t c = 0; c < space_size_; ++c) {
        for (size_t j = 0; j < dims_; ++j)
          p[j] = vars_[j].kind == Variable::Kind::Integer ? vars_[j].lo + static_cast<double>(digits[j]) : static_cast<double>(digits[j]);
        if (!seen(p)) pts.push_back(p);
        for (size_t j = dims_; j-- > 0;) {
          if (++digits[j] < vars_[j].count()) break;
          digits[j] = 0;
        }
      }
    } else {
      SobolSequence s(dims_, true, stream);
      Point p(dims_);
      for (size_t c = 0; c < candidates_; ++c) {
        s.next(u_);
        for (size_t j = 0; j < dims_; ++j) p[j] = decode_unit(vars_[j], u_[j]);
        if (!seen(p)) pts.push_back(p);
      }
    }
    encode_rows(pts, Z);
  }

  void encode_rows(const std::vector<Point>& pts, Eigen::MatrixXd& Z) const {
    Z.resize(static_cast<Eigen::Index>(pts.size()), static_cast<Eigen::Index>(dims_));
    for (size_t i = 0; i < pts.size(); ++i)
      for (size_t j = 0; j < dims_; ++j) Z(i, j) = encode_gp(vars_[j], pts[i][j]);
  }

  // Acquisition (EHVI × P(feasible)) and an uncertainty score (Σ sd × P(feasible)) per row of Z.
  void acquisition(const Front& front, const HypervolumeImprovement& hvi, const Eigen::MatrixXd& Z,
                   std::vector<double>& acq, std::vector<double>& explore) {
    const Eigen::Index m = Z.rows();
    means_.resize(outputs());
    sds_.resize(outputs());
    for (size_t k = 0; k < outputs(); ++k) gps_[k].predict(Z, means_[k], sds_[k]);
    acq.assign(m, 0);
    explore.assign(m, 0);
    std::vector<double> mu(objectives_), sd(objectives_);
    for (Eigen::Index i = 0; i < m; ++i) {
      double pof = 1;
      for (size_t c = 0; c < constraints_; ++c) {
        const size_t k = objectives_ + c;
        const double mu_c = means_[k][i], sd_c = sds_[k][i];
        pof *= sd_c > 1e-300 ? 0.5 * std::erfc(mu_c / (sd_c * std::sqrt(2.0))) : (mu_c <= 0 ? 1.0 : 0.0);
      }
      double spread = 0;
      for (size_t j = 0; j < objectives_; ++j) {
        mu[j] = means_[j][i];
        sd[j] = sds_[j][i];
        spread += sd[j] / std::max(1e-300, std::fabs(front.ref[j]) + 1.0);
      }
      acq[i] = pof > 0 ? hvi.expected(mu.data(), sd.data()) * pof : 0.0;
      explore[i] = spread * pof;
    }
  }

  // One point: the best of the candidates after local refinement; false when nothing unseen is left.
  bool choose(const Front& front, size_t batch_index, Pick& pick) {
    const uint64_t stream = splitmix64(seed_ ^ splitmix64(0x5eedull + told_ * 1315423911ull + batch_index));
    HypervolumeImprovement hvi(front.points, front.ref, 50000, opt_.mc_samples, stream);
    std::vector<Point> pts;
    Eigen::MatrixXd Z;
    make_candidates(stream, pts, Z);
    std::vector<double> acq, explore;
    acquisition(front, hvi, Z, acq, explore);
    // Local refinement around the best candidates (not for an enumerated finite space).
    if (!(space_size_ != 0 && space_size_ <= 4 * candidates_) && !pts.empty()) {
      std::mt19937_64 rng(stream);
      std::vector<size_t> order(pts.size());
      std::iota(order.begin(), order.end(), 0);
      const size_t k = std::min(kLocalSeeds, pts.size());
      std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](size_t a, size_t b) { return acq[a] > acq[b]; });
      std::vector<Point> seeds_p;
      std::vector<double> seeds_acq;
      for (size_t s = 0; s < k; ++s) seeds_p.push_back(pts[order[s]]), seeds_acq.push_back(acq[order[s]]);
      std::vector<Point> local;
      Eigen::MatrixXd LZ;
      std::vector<double> lacq, lexp;
      for (double scale : kLocalScales) {
        local.clear();
        std::vector<size_t> owner;
        for (size_t s = 0; s < seeds_p.size(); ++s)
          for (size_t r = 0; r < kPerturbations; ++r) {
            Point p(dims_);
            for (size_t j = 0; j < dims_; ++j) {
              const double z = encode_gp(vars_[j], seeds_p[s][j]) + scale * gaussian(rng);
              p[j] = decode_gp(vars_[j], z);
            }
            if (seen(p)) continue;
            local.push_back(std::move(p));
            owner.push_back(s);
          }
        encode_rows(local, LZ);
        acquisition(front, hvi, LZ, lacq, lexp);
        for (size_t i = 0; i < local.size(); ++i) {
          if (lacq[i] > seeds_acq[owner[i]]) seeds_acq[owner[i]] = lacq[i], seeds_p[owner[i]] = local[i];
          pts.push_back(local[i]);
          acq.push_back(lacq[i]);
          explore.push_back(lexp[i]);
        }
      }
    }
    if (pts.empty()) return false;
    ascend(front, hvi, pts, acq, explore);
    // The best unseen candidate; by uncertainty when no candidate promises any improvement.
    const bool flat = *std::max_element(acq.begin(), acq.end()) <= 0;
    const std::vector<double>& score = flat ? explore : acq;
    std::vector<size_t> order(pts.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score[a] > score[b]; });
    for (size_t i : order) {
      if (!propose(pts[i])) continue;
      pick.point = pts[i];
      pick.z.resize(dims_);
      for (size_t j = 0; j < dims_; ++j) pick.z[j] = encode_gp(vars_[j], pts[i][j]);
      return true;
    }
    return false;
  }

  // Projected hill climbing on the continuous relaxation from the best candidates: a step along the
  // finite-difference gradient (normalized to the largest component), clamped to [0,1] (so bounds are
  // reached exactly), grown ×1.5 on success and halved on failure. The end points, decoded to valid
  // values, join the candidates.
  void ascend(const Front& front, const HypervolumeImprovement& hvi, std::vector<Point>& pts, std::vector<double>& acq,
              std::vector<double>& explore) {
    std::vector<size_t> order(pts.size());
    std::iota(order.begin(), order.end(), 0);
    const size_t k = std::min(kAscentSeeds, pts.size());
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](size_t a, size_t b) { return acq[a] > acq[b]; });
    if (k == 0 || acq[order[0]] <= 0) return;
    const Eigen::Index d = static_cast<Eigen::Index>(dims_), rows = static_cast<Eigen::Index>(k) * (d + 1);
    Eigen::MatrixXd z(static_cast<Eigen::Index>(k), d), probe(rows, d);
    for (size_t s = 0; s < k; ++s)
      for (Eigen::Index j = 0; j < d; ++j) z(s, j) = encode_gp(vars_[j], pts[order[s]][j]);
    std::vector<double> value(k), step(k, 0.05), a, e;
    std::vector<bool> active(k, true);
    const double h = 1e-5;
    for (size_t s = 0; s < k; ++s) value[s] = acq[order[s]];
    for (size_t it = 0; it < kAscentSteps; ++it) {
      // Gradient probes: row s·(d+1) is z_s, then one forward (backward at the upper bound) step per input.
      for (size_t s = 0; s < k; ++s)
        for (Eigen::Index j = 0; j <= d; ++j) {
          probe.row(static_cast<Eigen::Index>(s) * (d + 1) + j) = z.row(s);
          if (j > 0) probe(static_cast<Eigen::Index>(s) * (d + 1) + j, j - 1) += z(s, j - 1) + h <= 1 ? h : -h;
        }
      acquisition(front, hvi, probe, a, e);
      Eigen::MatrixXd trial = z;
      for (size_t s = 0; s < k; ++s) {
        if (!active[s]) continue;
        const size_t base = s * (d + 1);
        Eigen::RowVectorXd g(d);
        double gmax = 0;
        for (Eigen::Index j = 0; j < d; ++j) {
          const double dz = probe(base + j + 1, j) - z(s, j);
          g[j] = (a[base + j + 1] - a[base]) / dz;
          gmax = std::max(gmax, std::fabs(g[j]));
        }
        if (!(gmax > 0)) {
          active[s] = false;
          continue;
        }
        trial.row(s) = (z.row(s) + step[s] / gmax * g).cwiseMax(0.0).cwiseMin(1.0);
      }
      acquisition(front, hvi, trial, a, e);
      bool any = false;
      for (size_t s = 0; s < k; ++s) {
        if (!active[s]) continue;
        if (a[s] > value[s]) {
          value[s] = a[s];
          z.row(s) = trial.row(s);
          step[s] = std::min(0.5, step[s] * 1.5);
        } else {
          step[s] *= 0.5;
          if (step[s] < 1e-4) active[s] = false;
        }
        any = any || active[s];
      }
      if (!any) break;
    }
    std::vector<Point> ends(k, Point(dims_));
    for (size_t s = 0; s < k; ++s)
      for (size_t j = 0; j < dims_; ++j) ends[s][j] = decode_gp(vars_[j], z(static_cast<Eigen::Index>(s), static_cast<Eigen::Index>(j)));
    Eigen::MatrixXd Z;
    encode_rows(ends, Z);
    acquisition(front, hvi, Z, a, e);
    for (size_t s = 0; s < k; ++s) {
      if (seen(ends[s])) continue;
      pts.push_back(ends[s]);
      acq.push_back(a[s]);
      explore.push_back(e[s]);
    }
  }

  // Kriging believer: condition every GP on its own mean at the pick; a predicted-feasible pick joins
  // the front.
  void believe(const Pick& pick, Front& front) {
    Eigen::MatrixXd z(1, static_cast<Eigen::Index>(dims_));
    for (size_t j = 0; j < dims_; ++j) z(0, j) = pick.z[j];
    std::vector<double> mu(outputs());
    Eigen::VectorXd mean, sd;
    for (size_t k = 0; k < outputs(); ++k) {
      gps_[k].predict(z, mean, sd);
      mu[k] = mean[0];
    }
    for (size_t k = 0; k < outputs(); ++k) gps_[k].add_observation(z.row(0).transpose(), mu[k]);
    bool feasible = true;
    for (size_t c = 0; c < constraints_; ++c) feasible = feasible && mu[objectives_ + c] <= 0;
    if (feasible) front.points.emplace_back(mu.begin(), mu.begin() + static_cast<long>(objectives_));
  }

  static double gaussian(std::mt19937_64& rng) {  // Box-Muller, portable
    const double u1 = 1.0 - uniform01(rng), u2 = uniform01(rng);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

  size_t dims_;
  uint64_t seed_;
  OptimizerOptions opt_;
  size_t initial_, candidates_;
  SobolSequence sobol_;
  std::vector<double> u_;
  PointSet outstanding_;
  std::vector<std::vector<double>> data_z_, data_f_, data_c_;  // successful points: GP inputs, objectives, constraints
  std::vector<GaussianProcess> gps_;                            // objectives, then constraints
  std::vector<GpHyperparameters> hyper_;
  std::vector<Eigen::VectorXd> means_, sds_;
  size_t model_asks_ = 0;
  size_t last_fit_n_ = 0, fits_ = 0;  // data size at the last hyperparameter optimization; optimizations
};

}  // namespace

std::unique_ptr<Optimizer> make_bo(const std::vector<Variable>& vars, uint64_t seed, const OptimizerOptions& opt) {
  return std::make_unique<Bo>(vars, seed, opt);
}

}  // namespace coda::dse
