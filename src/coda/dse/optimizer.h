// Ask/tell optimizers over a box of Real, Integer and Choice variables, for multi-objective search
// with constraints: exhaustive grid, random, Sobol, NSGA-II, and Bayesian optimization (GP + EHVI).
//
// The caller owns evaluation: ask for points, evaluate them (in any order, on any number of threads or
// machines), tell the outcomes. Every objective is minimized (negate one to maximize); a constraint is
// satisfied when its value is <= 0. A failed evaluation (e.g. a layer that cannot be mapped) is told
// with `failed = true`: it never enters a model or a front, and is never proposed again.
//
//   std::vector<dse::Variable> vars = {
//       {"width", dse::Variable::Kind::Choice, 0, 0, {"32", "64", "128"}},
//       {"layers", dse::Variable::Kind::Integer, 6, 12},
//       {"clock_ghz", dse::Variable::Kind::Real, 0.5, 1.0}};
//   auto opt = dse::make_optimizer("nsga2", vars, /*seed=*/1, {.population = 40});
//   while (!opt->done() && evaluated < budget) {
//     std::vector<dse::Point> pts = opt->ask(4);          // e.g. {2, 9, 0.731}: choice index 2 = "128"
//     std::vector<dse::Outcome> outs = evaluate(pts);      // objectives + constraints per point
//     opt->tell(pts, outs);
//   }
//
// Guarantees, for every optimizer:
// - Deterministic: the same variables, seed, options and sequence of ask/tell calls give the same points
//   (bit for bit; no thread or clock enters). Randomness is std::mt19937_64 or splitmix64, seeded.
// - Proposed points are valid: Integer values are integers in [lo, hi], Choice values indices in
//   [0, choices.size()), Real values in [lo, hi].
// - No point is proposed twice, nor a point already told (resume: replay the stored points with tell
//   into a fresh optimizer, then ask; a grid then continues with the combinations not yet stored).
//   ask(n) may return fewer than n points when a finite space (all Integer/Choice) has run out of
//   unseen points; done() then turns true.
// - tell accepts points the optimizer never proposed and outcomes in any order; telling the same point
//   twice keeps the first outcome.
//
// The algorithms ("name": what, options):
// - "grid": every combination of the Integer and Choice values (and of `steps` evenly spaced values
//   lo..hi of each Real variable; steps = 1 is the midpoint), the last variable changing fastest.
// - "random": independent uniform draws (Integer and Choice values equally likely).
// - "sobol": the Sobol sequence (sobol.h; point 0, the lower corner, first), unscrambled unless
//   `scramble`; each coordinate u in [0,1) maps to lo + u·(hi - lo), or to value floor(u·count) of an
//   Integer/Choice variable.
// - "nsga2": NSGA-II (Deb, Pratap, Agarwal, Meyarivan, IEEE TEVC 6(2) 2002): a random initial population
//   of `population`, then generations of `population` offspring by binary tournament on (rank, crowding
//   distance), SBX crossover (probability 0.9, eta 15) and polynomial mutation (eta 20, probability 1/n
//   per variable), and environmental selection of parents + offspring by constraint-domination ranks
//   (total violation = sum of max(0, c)) and crowding distance. A generation closes when `population`
//   offspring outcomes have been told (ask in any batch size). Integer and Choice variables are real
//   genes in [0,1] cut into `count` equal bins, i.e. rounded to the nearest value of a real gene on
//   [lo - 0.5, hi + 0.5]; offspring equal to a seen point are redrawn (up to 100 times).
// - "bo": Bayesian optimization, see bo.h: `initial` scrambled Sobol points, then per point a Gaussian
//   process per objective and constraint and the expected hypervolume improvement times the probability
//   of feasibility, maximised over candidates; batches by the Kriging believer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace coda::dse {

struct Variable {
  std::string name;
  enum class Kind { Real, Integer, Choice } kind = Kind::Real;
  double lo = 0, hi = 1;              // Real and Integer bounds (inclusive); unused for Choice
  std::vector<std::string> choices;   // Choice: the labels; a point holds the index

  size_t count() const;  // Integer: hi - lo + 1; Choice: choices.size(); Real: 0 (uncountable)
};

using Point = std::vector<double>;  // per variable: the real value, the integer value, or the choice index

struct Outcome {
  std::vector<double> objectives;   // all minimized
  std::vector<double> constraints;  // feasible when every value <= 0
  bool failed = false;              // an infeasible/failed evaluation (excluded from models, kept out of the front)
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual std::vector<Point> ask(size_t n) = 0;  // up to n new points (fewer when a finite space is exhausted)
  // Any order, including points the optimizer never proposed (resume replays stored points).
  // InvalidError when a point has the wrong number of values or an outcome a different number of
  // objectives or constraints than the first told.
  virtual void tell(const std::vector<Point>& points, const std::vector<Outcome>& outcomes) = 0;
  virtual bool done() const = 0;  // a finite space is exhausted: ask returns nothing more
};

struct OptimizerOptions {
  size_t population = 100;         // NSGA-II population (and offspring per generation); >= 2
  size_t initial = 0;              // BO: Sobol points before the GP (0: 2·dims + 2)
  std::vector<double> reference;   // BO: hypervolume reference point, one per objective in objective units
                                   // (empty: the worst feasible value + 10% of the observed range)
  size_t steps = 0;                // grid: values per Real variable (required when there is one)
  bool scramble = false;           // sobol: scrambled sequence (linear matrix scramble + digital shift)
  double crossover_probability = 0.9;  // NSGA-II
  double crossover_eta = 15;           // NSGA-II: SBX distribution index
  double mutation_eta = 20;            // NSGA-II: polynomial mutation distribution index
  double mutation_probability = 0;     // NSGA-II: per variable (0: 1 / number of variables)
  size_t candidates = 0;           // BO: Sobol candidates per acquisition (0: clamp(200·dims, 1000, 4000))
  size_t mc_samples = 1024;        // BO: Monte Carlo samples of EHVI when the exact box decomposition would
                                   // exceed 50,000 cells (bo.h)
  size_t gp_restarts = 2;          // BO: random restarts of the hyperparameter fit (besides the warm start)
  double gp_refit_growth = 0.1;    // BO: re-optimize the GP hyperparameters when the data has grown by this
                                   // fraction since the last time (at least one point); else only condition
  size_t gp_refit_every = 1;       // BO: random restarts at every this-many-th re-optimization (warm start only
                                   // at the others)
};

// "grid", "random", "sobol", "nsga2", "bo". InvalidError for an unknown name, no variables, a variable
// with lo > hi, non-integer Integer bounds, an empty Choice, a Real in a grid without `steps`, or bad
// options; the BO's ask raises it when `reference` does not have one value per objective. "sobol" and
// "bo" read data/dse/sobol_joe_kuo.txt (IoError if missing) and take at most 1000 variables.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, const std::vector<Variable>& vars, uint64_t seed,
                                          const OptimizerOptions& opt = {});

// The names make_optimizer accepts.
std::vector<std::string> optimizer_names();

}  // namespace coda::dse
