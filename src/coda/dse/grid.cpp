// The exhaustive grid optimizer: every combination of the variables' values, last variable fastest.
#include <algorithm>

#include "coda/core/error.h"
#include "coda/dse/optimizer_util.h"

namespace coda::dse {
namespace {

class Grid final : public OptimizerBase {
 public:
  Grid(const std::vector<Variable>& vars, const OptimizerOptions& opt) : OptimizerBase(vars), digits_(vars.size(), 0) {
    for (const auto& v : vars) {
      std::vector<double> values;
      if (v.kind == Variable::Kind::Real) {
        if (opt.steps == 0)
          throw InvalidError("variable '" + v.name + "'", "a grid over a real variable needs the `steps` option");
        if (opt.steps == 1) values.push_back(0.5 * (v.lo + v.hi));
        for (size_t i = 0; opt.steps > 1 && i < opt.steps; ++i)
          values.push_back(i + 1 == opt.steps ? v.hi : v.lo + (v.hi - v.lo) * static_cast<double>(i) / static_cast<double>(opt.steps - 1));
        values.erase(std::unique(values.begin(), values.end()), values.end());  // lo == hi
      } else {
        for (size_t k = 0; k < v.count(); ++k) values.push_back(v.kind == Variable::Kind::Integer ? v.lo + static_cast<double>(k) : static_cast<double>(k));
      }
      values_.push_back(std::move(values));
    }
  }

  std::vector<Point> ask(size_t n) override {
    std::vector<Point> out;
    Point p(vars_.size());
    while (out.size() < n && !finished_) {
      for (size_t j = 0; j < p.size(); ++j) p[j] = values_[j][digits_[j]];
      advance();
      if (propose(p)) out.push_back(p);
    }
    return out;
  }

  void tell(const std::vector<Point>& points, const std::vector<Outcome>& outcomes) override { record(points, outcomes); }

  bool done() const override { return finished_ || exhausted(); }

 private:
  void advance() {  // mixed-radix increment, last digit fastest
    for (size_t j = digits_.size(); j-- > 0;) {
      if (++digits_[j] < values_[j].size()) return;
      digits_[j] = 0;
    }
    finished_ = true;
  }

  std::vector<std::vector<double>> values_;
  std::vector<size_t> digits_;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<Optimizer> make_grid(const std::vector<Variable>& vars, const OptimizerOptions& opt) {
  return std::make_unique<Grid>(vars, opt);
}

}  // namespace coda::dse
