// The "random" and "sobol" optimizers: points drawn without a model, seen points skipped.
#include "coda/core/error.h"
#include "coda/dse/optimizer_util.h"
#include "coda/dse/sobol.h"

namespace coda::dse {
namespace {

// Draws unit-cube points from a generator, decodes them and keeps the unseen ones. In a finite space a
// point whose draws keep hitting seen points falls back to the first unseen point in grid order, so the
// space is always exhausted eventually.
class SamplingOptimizer : public OptimizerBase {
 public:
  explicit SamplingOptimizer(const std::vector<Variable>& vars) : OptimizerBase(vars), u_(vars.size()) {}

  std::vector<Point> ask(size_t n) override {
    std::vector<Point> out;
    Point p(vars_.size());
    while (out.size() < n && !exhausted()) {
      bool found = false;
      for (int attempt = 0; attempt < 1000 && !found; ++attempt) {
        draw(u_);
        for (size_t j = 0; j < p.size(); ++j) p[j] = decode_unit(vars_[j], u_[j]);
        found = propose(p);
      }
      if (!found && !first_unseen(p)) break;
      out.push_back(p);
    }
    return out;
  }

  void tell(const std::vector<Point>& points, const std::vector<Outcome>& outcomes) override { record(points, outcomes); }

 protected:
  virtual void draw(std::vector<double>& u) = 0;

 private:
  std::vector<double> u_;
};

class RandomSearch final : public SamplingOptimizer {
 public:
  RandomSearch(const std::vector<Variable>& vars, uint64_t seed) : SamplingOptimizer(vars), rng_(seed) {}

 private:
  void draw(std::vector<double>& u) override {
    for (double& x : u) x = uniform01(rng_);
  }
  std::mt19937_64 rng_;
};

class SobolSearch final : public SamplingOptimizer {
 public:
  SobolSearch(const std::vector<Variable>& vars, uint64_t seed, bool scramble)
      : SamplingOptimizer(vars), sobol_(vars.size(), scramble, seed) {}

 private:
  void draw(std::vector<double>& u) override { sobol_.next(u); }
  SobolSequence sobol_;
};

}  // namespace

std::unique_ptr<Optimizer> make_random(const std::vector<Variable>& vars, uint64_t seed) {
  return std::make_unique<RandomSearch>(vars, seed);
}

std::unique_ptr<Optimizer> make_sobol(const std::vector<Variable>& vars, uint64_t seed, const OptimizerOptions& opt) {
  return std::make_unique<SobolSearch>(vars, seed, opt.scramble);
}

}  // namespace coda::dse
