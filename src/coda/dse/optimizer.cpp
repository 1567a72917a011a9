// make_optimizer, variable encodings and the bookkeeping shared by the optimizers.
#include "coda/dse/optimizer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "coda/core/error.h"
#include "coda/dse/optimizer_util.h"

namespace coda::dse {

size_t Variable::count() const {
  switch (kind) {
    case Kind::Integer: return static_cast<size_t>(hi - lo) + 1;
    case Kind::Choice: return choices.size();
    case Kind::Real: return 0;
  }
  return 0;
}

double decode_unit(const Variable& v, double u) {
  u = std::clamp(u, 0.0, 1.0);
  if (v.kind == Variable::Kind::Real) return std::min(v.hi, v.lo + u * (v.hi - v.lo));
  const size_t n = v.count();
  const double k = std::min(static_cast<double>(n - 1), std::floor(u * static_cast<double>(n)));
  return v.kind == Variable::Kind::Integer ? v.lo + k : k;
}

double encode_unit(const Variable& v, double value) {
  if (v.kind == Variable::Kind::Real) return v.hi > v.lo ? std::clamp((value - v.lo) / (v.hi - v.lo), 0.0, 1.0) : 0.5;
  const double k = v.kind == Variable::Kind::Integer ? value - v.lo : value;
  return (k + 0.5) / static_cast<double>(v.count());
}

double encode_gp(const Variable& v, double value) {
  if (v.kind == Variable::Kind::Choice) return v.choices.size() > 1 ? value / static_cast<double>(v.choices.size() - 1) : 0.0;
  return v.hi > v.lo ? std::clamp((value - v.lo) / (v.hi - v.lo), 0.0, 1.0) : 0.0;
}

double decode_gp(const Variable& v, double z) {
  z = std::clamp(z, 0.0, 1.0);
  switch (v.kind) {
    case Variable::Kind::Real: return std::min(v.hi, v.lo + z * (v.hi - v.lo));
    case Variable::Kind::Integer: return std::clamp(std::round(v.lo + z * (v.hi - v.lo)), v.lo, v.hi);
    case Variable::Kind::Choice: return std::round(z * static_cast<double>(v.choices.size() - 1));
  }
  return 0;
}

uint64_t finite_space_size(const std::vector<Variable>& vars) {
  uint64_t size = 1;
  for (const auto& v : vars) {
    if (v.kind == Variable::Kind::Real) return 0;
    const uint64_t n = v.count();
    if (n == 0 || size > (uint64_t{1} << 62) / n) return 0;
    size *= n;
  }
  return size;
}

void validate_variables(const std::vector<Variable>& vars) {
  if (vars.empty()) throw InvalidError("optimizer", "no variables");
  for (const auto& v : vars) {
    const std::string where = "variable '" + v.name + "'";
    if (v.kind == Variable::Kind::Choice) {
      if (v.choices.empty()) throw InvalidError(where, "a choice needs at least one value");
      continue;
    }
    if (!std::isfinite(v.lo) || !std::isfinite(v.hi)) throw InvalidError(where, "bounds must be finite");
    if (v.lo > v.hi) throw InvalidError(where, format("lo %g > hi %g", v.lo, v.hi));
    if (v.kind == Variable::Kind::Integer) {
      if (v.lo != std::floor(v.lo) || v.hi != std::floor(v.hi))
        throw InvalidError(where, format("integer bounds %g..%g are not integers", v.lo, v.hi));
      if (v.hi - v.lo >= 1e15) throw InvalidError(where, "integer range too large");
    }
  }
}

size_t PointHash::operator()(const Point& p) const {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ p.size();
  for (double x : p) {
    if (x == 0) x = 0;  // -0.0 and 0.0 are the same value
    uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    h ^= bits + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  }
  return static_cast<size_t>(h);
}

OptimizerBase::OptimizerBase(const std::vector<Variable>& vars) : vars_(vars), space_size_(finite_space_size(vars)) {}

double OptimizerBase::violation(const Outcome& o) {
  double v = 0;
  for (double c : o.constraints) v += std::isnan(c) ? HUGE_VAL : std::max(0.0, c);
  return v;
}

std::vector<size_t> OptimizerBase::record(const std::vector<Point>& points, const std::vector<Outcome>& outcomes) {
  if (points.size() != outcomes.size())
    throw InvalidError("optimizer", format("tell: %zu points but %zu outcomes", points.size(), outcomes.size()));
  // Check everything before changing any state.
  size_t objectives = objectives_, constraints = constraints_;
  bool known = shape_known_;
  for (size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    if (p.size() != vars_.size())
      throw InvalidError("optimizer", format("tell: point %zu has %zu values for %zu variables", i, p.size(), vars_.size()));
    for (size_t j = 0; j < p.size(); ++j) {
      const Variable& v = vars_[j];
      const double x = p[j];
      bool ok = std::isfinite(x);
      if (ok && v.kind == Variable::Kind::Choice) ok = x >= 0 && x < static_cast<double>(v.choices.size()) && x == std::floor(x);
      else if (ok) ok = x >= v.lo && x <= v.hi && (v.kind == Variable::Kind::Real || x == std::floor(x));
      if (!ok) throw InvalidError("variable '" + v.name + "'", format("tell: point %zu has value %g, outside the variable's values", i, x));
    }
    const Outcome& o = outcomes[i];
    if (o.failed) continue;
    if (!known) {
      objectives = o.objectives.size();
      constraints = o.constraints.size();
      known = true;
      if (objectives == 0) throw InvalidError("optimizer", "tell: an outcome without objectives");
    } else if (o.objectives.size() != objectives || o.constraints.size() != constraints) {
      throw InvalidError("optimizer", format("tell: outcome %zu has %zu objectives and %zu constraints, expected %zu and %zu", i,
                                             o.objectives.size(), o.constraints.size(), objectives, constraints));
    }
  }
  objectives_ = objectives;
  constraints_ = constraints;
  shape_known_ = known;
  std::vector<size_t> fresh;
  for (size_t i = 0; i < points.size(); ++i) {
    if (!told_set_.insert(points[i]).second) continue;
    seen_.insert(points[i]);
    fresh.push_back(i);
    ++told_;
  }
  return fresh;
}

bool OptimizerBase::first_unseen(Point& p) {
  if (space_size_ == 0 || exhausted()) return false;
  p.resize(vars_.size());
  std::vector<size_t> digits(vars_.size(), 0);
  for (;;) {
    for (size_t j = 0; j < p.size(); ++j)
      p[j] = vars_[j].kind == Variable::Kind::Integer ? vars_[j].lo + static_cast<double>(digits[j]) : static_cast<double>(digits[j]);
    if (propose(p)) return true;
    size_t j = digits.size();
    while (j-- > 0) {
      if (++digits[j] < vars_[j].count()) break;
      digits[j] = 0;
    }
    if (j == static_cast<size_t>(-1)) return false;
  }
}

std::vector<std::string> optimizer_names() { return {"grid", "random", "sobol", "nsga2", "bo"}; }

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, const std::vector<Variable>& vars, uint64_t seed,
                                          const OptimizerOptions& opt) {
  validate_variables(vars);
  if (name == "grid") return make_grid(vars, opt);
  if (name == "random") return make_random(vars, seed);
  if (name == "sobol") return make_sobol(vars, seed, opt);
  if (name == "nsga2") return make_nsga2(vars, seed, opt);
  if (name == "bo") return make_bo(vars, seed, opt);
  throw InvalidError("optimizer", "unknown optimizer '" + name + "' (grid, random, sobol, nsga2, bo)");
}

}  // namespace coda::dse
