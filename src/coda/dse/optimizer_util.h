// Internal to the optimizers: variable encodings, the seen-point bookkeeping every optimizer shares,
// and the factories make_optimizer dispatches to. Not part of the public API.
//
//   class MyOpt : public OptimizerBase { ... };   // propose() rejects seen points; record() checks tells
//   double u = encode_unit(var, 7);               // Integer 6..12 → bin centre (7 - 6 + 0.5) / 7
#pragma once
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "coda/dse/optimizer.h"

namespace coda::dse {

// Unit-cube coding (grid, random, Sobol, NSGA-II genes): Real u → lo + u·(hi - lo); Integer and Choice
// u → value number min(count - 1, floor(u·count)); encode gives the bin centre.
double decode_unit(const Variable& v, double u);
double encode_unit(const Variable& v, double value);

// GP coding (BO inputs): Real and Integer (value - lo) / (hi - lo), Choice index / (count - 1) (choices
// are ordinal); 0 when the range is a single value. decode rounds Integer and Choice to the nearest value.
double encode_gp(const Variable& v, double value);
double decode_gp(const Variable& v, double z);

// The number of points of an all-Integer/Choice space; 0 when a variable is Real or the count passes 2^62.
uint64_t finite_space_size(const std::vector<Variable>& vars);

// InvalidError for a bad variable list (see make_optimizer).
void validate_variables(const std::vector<Variable>& vars);

// Uniform double in [0,1) from the top 53 bits (portable, unlike std::uniform_real_distribution).
inline double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

struct PointHash {
  size_t operator()(const Point& p) const;
};
using PointSet = std::unordered_set<Point, PointHash>;

// Shared bookkeeping: which points were proposed or told, outcome shapes, exhaustion of finite spaces.
class OptimizerBase : public Optimizer {
 public:
  explicit OptimizerBase(const std::vector<Variable>& vars);
  bool done() const override { return exhausted(); }

 protected:
  // Checks a tell (sizes, values in range, consistent objective/constraint counts) and returns the
  // indices of the points told for the first time (the others are ignored).
  std::vector<size_t> record(const std::vector<Point>& points, const std::vector<Outcome>& outcomes);
  // Registers p as proposed; false (and nothing registered) when it was proposed or told before.
  bool propose(const Point& p) { return seen_.insert(p).second; }
  bool seen(const Point& p) const { return seen_.count(p) > 0; }
  // In a finite space: registers and returns the first unseen point in grid order (last variable
  // fastest); false when there is none or the space is not finite.
  bool first_unseen(Point& p);
  bool exhausted() const { return space_size_ != 0 && seen_.size() >= space_size_; }
  // Total violation sum(max(0, c)) of an outcome.
  static double violation(const Outcome& o);

  std::vector<Variable> vars_;
  uint64_t space_size_ = 0;      // 0: infinite (a Real variable) or huge
  size_t objectives_ = 0, constraints_ = 0;
  bool shape_known_ = false;      // objectives_/constraints_ set by the first successful outcome
  size_t told_ = 0;               // distinct points told
 private:
  PointSet seen_, told_set_;
};

std::unique_ptr<Optimizer> make_grid(const std::vector<Variable>& vars, const OptimizerOptions& opt);
std::unique_ptr<Optimizer> make_random(const std::vector<Variable>& vars, uint64_t seed);
std::unique_ptr<Optimizer> make_sobol(const std::vector<Variable>& vars, uint64_t seed, const OptimizerOptions& opt);
std::unique_ptr<Optimizer> make_nsga2(const std::vector<Variable>& vars, uint64_t seed, const OptimizerOptions& opt);
std::unique_ptr<Optimizer> make_bo(const std::vector<Variable>& vars, uint64_t seed, const OptimizerOptions& opt);

}  // namespace coda::dse
