// NSGA-II (Deb, Pratap, Agarwal, Meyarivan, IEEE TEVC 6(2) 2002) as an ask/tell optimizer.
//
// Genes are unit-cube coordinates (optimizer_util.h: Integer and Choice genes are binned). The operators
// follow Deb's reference C code (nsga2-v1.1, revised 2011): bounded SBX (Deb & Agrawal 1995) and
// bounded polynomial mutation. Failed outcomes never enter the population.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "coda/core/error.h"
#include "coda/dse/optimizer_util.h"
#include "coda/dse/pareto.h"

namespace coda::dse {
namespace {

struct Member {
  std::vector<double> genes;       // unit cube
  std::vector<double> objectives;  // minimized
  double violation = 0;
};

class Nsga2 final : public OptimizerBase {
 public:
  Nsga2(const std::vector<Variable>& vars, uint64_t seed, const OptimizerOptions& opt)
      : OptimizerBase(vars), rng_(seed), n_(opt.population), pc_(opt.crossover_probability),
        eta_c_(opt.crossover_eta), eta_m_(opt.mutation_eta),
        pm_(opt.mutation_probability > 0 ? opt.mutation_probability : 1.0 / static_cast<double>(vars.size())) {
    if (n_ < 2) throw InvalidError("nsga2", "population must be at least 2");
    if (!(pc_ >= 0 && pc_ <= 1) || !(pm_ >= 0 && pm_ <= 1)) throw InvalidError("nsga2", "probabilities must be in [0, 1]");
    if (!(eta_c_ >= 0) || !(eta_m_ >= 0)) throw InvalidError("nsga2", "distribution indices must be >= 0");
  }

  std::vector<Point> ask(size_t n) override {
    std::vector<Point> out;
    Point p(vars_.size());
    std::vector<double> genes(vars_.size());
    while (out.size() < n && !exhausted()) {
      bool found = false;
      for (int attempt = 0; attempt < 100 && !found; ++attempt) {
        if (told_ + outstanding_.size() < n_ || population_.empty()) {
          for (double& g : genes) g = uniform01(rng_);
        } else {
          next_child(genes);
        }
        for (size_t j = 0; j < p.size(); ++j) p[j] = decode_unit(vars_[j], genes[j]);
        found = propose(p);
      }
      if (!found && !first_unseen(p)) break;
      out.push_back(p);
      outstanding_.insert(p);
    }
    return out;
  }

  void tell(const std::vector<Point>& points, const std::vector<Outcome>& outcomes) override {
    std::vector<size_t> fresh = record(points, outcomes);
    bool changed = false;
    for (size_t i : fresh) {
      outstanding_.erase(points[i]);
      const Outcome& o = outcomes[i];
      if (o.failed || std::any_of(o.objectives.begin(), o.objectives.end(), [](double f) { return std::isnan(f); })) continue;
      Member m;
      m.genes.resize(vars_.size());
      for (size_t j = 0; j < vars_.size(); ++j) m.genes[j] = encode_unit(vars_[j], points[i][j]);
      m.objectives = o.objectives;
      m.violation = violation(o);
      if (!selected_ && population_.size() < n_) {
        population_.push_back(std::move(m));
        changed = true;
      } else {
        offspring_.push_back(std::move(m));
      }
      if (offspring_.size() >= n_) {
        select();
        changed = true;
      }
    }
    if (changed) rank_population();
  }

 private:
  // Environmental selection: the best n_ of parents + offspring by (rank, crowding distance).
  void select() {
    std::vector<Member> all;
    all.reserve(population_.size() + offspring_.size());
    for (auto& m : population_) all.push_back(std::move(m));
    for (auto& m : offspring_) all.push_back(std::move(m));
    population_.clear();
    offspring_.clear();
    selected_ = true;
    std::vector<std::vector<double>> objs(all.size());
    std::vector<double> viol(all.size());
    for (size_t i = 0; i < all.size(); ++i) {
      objs[i] = all[i].objectives;
      viol[i] = all[i].violation;
    }
    std::vector<int> rank = nondominated_ranks(objs, &viol);
    for (int r = 0; population_.size() < n_; ++r) {
      std::vector<size_t> front;
      for (size_t i = 0; i < all.size(); ++i)
        if (rank[i] == r) front.push_back(i);
      if (front.empty()) break;
      if (population_.size() + front.size() > n_) {
        std::vector<double> cd = crowding_distance(objs, front);
        std::vector<size_t> order(front.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return cd[a] > cd[b]; });
        order.resize(n_ - population_.size());
        std::sort(order.begin(), order.end());
        std::vector<size_t> kept;
        for (size_t o : order) kept.push_back(front[o]);
        front.swap(kept);
      }
      for (size_t i : front) population_.push_back(std::move(all[i]));
    }
  }

  // Ranks and crowding distances of the current population, for the tournaments.
  void rank_population() {
    const size_t n = population_.size();
    std::vector<std::vector<double>> objs(n);
    std::vector<double> viol(n);
    for (size_t i = 0; i < n; ++i) {
      objs[i] = population_[i].objectives;
      viol[i] = population_[i].violation;
    }
    rank_ = nondominated_ranks(objs, &viol);
    crowd_.assign(n, 0);
    int max_rank = n ? *std::max_element(rank_.begin(), rank_.end()) : -1;
    for (int r = 0; r <= max_rank; ++r) {
      std::vector<size_t> front;
      for (size_t i = 0; i < n; ++i)
        if (rank_[i] == r) front.push_back(i);
      std::vector<double> cd = crowding_distance(objs, front);
      for (size_t k = 0; k < front.size(); ++k) crowd_[front[k]] = cd[k];
    }
    spare_ready_ = false;  // children of the previous parents are not kept across a selection
  }

  size_t pick(size_t n) { return static_cast<size_t>(rng_() % n); }

  // Binary tournament on the crowded comparison: lower rank, then larger crowding distance.
  const Member& tournament() {
    const size_t a = pick(population_.size()), b = pick(population_.size());
    if (rank_[a] != rank_[b]) return population_[rank_[a] < rank_[b] ? a : b];
    if (crowd_[a] != crowd_[b]) return population_[crowd_[a] > crowd_[b] ? a : b];
    return population_[uniform01(rng_) < 0.5 ? a : b];
  }

  // SBX makes children in pairs; the second is kept for the next call.
  void next_child(std::vector<double>& child) {
    if (spare_ready_) {
      child = spare_;
      spare_ready_ = false;
      return;
    }
    const Member& p1 = tournament();
    const Member& p2 = tournament();
    child = p1.genes;
    spare_ = p2.genes;
    if (uniform01(rng_) <= pc_) sbx(child, spare_);
    mutate(child);
    mutate(spare_);
    spare_ready_ = true;
  }

  static double sbx_betaq(double beta, double rand, double eta) {
    const double alpha = 2.0 - std::pow(beta, -(eta + 1.0));
    return rand <= 1.0 / alpha ? std::pow(rand * alpha, 1.0 / (eta + 1.0)) : std::pow(1.0 / (2.0 - rand * alpha), 1.0 / (eta + 1.0));
  }

  // Bounded simulated binary crossover on [0,1] per gene with probability 0.5 (Deb's C code).
  void sbx(std::vector<double>& c1, std::vector<double>& c2) {
    for (size_t j = 0; j < c1.size(); ++j) {
      if (uniform01(rng_) > 0.5) continue;
      const double x1 = c1[j], x2 = c2[j];
      if (std::fabs(x1 - x2) <= 1e-14) continue;
      const double y1 = std::min(x1, x2), y2 = std::max(x1, x2);
      const double rand = uniform01(rng_);
      const double bq1 = sbx_betaq(1.0 + 2.0 * y1 / (y2 - y1), rand, eta_c_);
      double a = 0.5 * ((y1 + y2) - bq1 * (y2 - y1));
      const double bq2 = sbx_betaq(1.0 + 2.0 * (1.0 - y2) / (y2 - y1), rand, eta_c_);
      double b = 0.5 * ((y1 + y2) + bq2 * (y2 - y1));
      a = std::clamp(a, 0.0, 1.0);
      b = std::clamp(b, 0.0, 1.0);
      if (uniform01(rng_) <= 0.5) std::swap(a, b);
      c1[j] = a;
      c2[j] = b;
    }
  }

  // Bounded polynomial mutation on [0,1] with probability pm_ per gene (Deb's C code).
  void mutate(std::vector<double>& g) {
    const double pow_m = 1.0 / (eta_m_ + 1.0);
    for (double& y : g) {
      if (uniform01(rng_) > pm_) continue;
      const double d1 = y, d2 = 1.0 - y, r = uniform01(rng_);
      double dq;
      if (r <= 0.5) {
        const double val = 2.0 * r + (1.0 - 2.0 * r) * std::pow(1.0 - d1, eta_m_ + 1.0);
        dq = std::pow(val, pow_m) - 1.0;
      } else {
        const double val = 2.0 * (1.0 - r) + 2.0 * (r - 0.5) * std::pow(1.0 - d2, eta_m_ + 1.0);
        dq = 1.0 - std::pow(val, pow_m);
      }
      y = std::clamp(y + dq, 0.0, 1.0);
    }
  }

  std::mt19937_64 rng_;
  size_t n_;
  double pc_, eta_c_, eta_m_, pm_;
  std::vector<Member> population_, offspring_;
  std::vector<int> rank_;
  std::vector<double> crowd_;
  std::vector<double> spare_;
  bool spare_ready_ = false;
  bool selected_ = false;  // a selection happened: new outcomes are offspring
  PointSet outstanding_;  // asked, not yet told
};

}  // namespace

std::unique_ptr<Optimizer> make_nsga2(const std::vector<Variable>& vars, uint64_t seed, const OptimizerOptions& opt) {
  return std::make_unique<Nsga2>(vars, seed, opt);
}

}  // namespace coda::dse
