// report::svg: text helpers, scales, ticks and domains.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "coda/report/svg.h"

namespace coda::report::svg {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string num(double v) {
  if (!std::isfinite(v)) return "0";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

namespace {

std::string significant(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", std::clamp(digits, 1, 15), v);
  return buf;
}

}  // namespace

namespace {
std::string si_text(double v, int digits, bool always);
}  // namespace

std::string si(double v, int digits) { return si_text(v, digits, false); }
std::string si_prefixed(double v, int digits) { return si_text(v, digits, true); }

namespace {

std::string si_text(double v, int digits, bool always) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return "0";
  const double a = std::fabs(v);
  auto int_digits = [](double x) { return x >= 100 ? 3 : x >= 10 ? 2 : 1; };  // never fewer than the integer part
  if (!always && a >= 0.01 && a < 1000) {
    std::string s = significant(v, std::max(digits, int_digits(a)));
    if (s.find('e') == std::string::npos) return s;
  }
  static const char* const prefixes[] = {"y", "z", "a", "f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y"};
  int e3 = static_cast<int>(std::floor(std::log10(a) / 3)) * 3;
  e3 = std::clamp(e3, -24, 24);
  double scaled = v / std::pow(10.0, e3);
  std::string s = significant(scaled, std::max(digits, int_digits(std::fabs(scaled))));
  if (std::fabs(std::strtod(s.c_str(), nullptr)) >= 1000 && e3 < 24) {  // 999.9 rounds up to the next prefix
    e3 += 3;
    s = significant(v / std::pow(10.0, e3), digits);
  }
  return s + prefixes[(e3 + 24) / 3];
}

}  // namespace

double Scale::operator()(double v) const {
  double t;
  if (log) {
    const double l = std::log10(lo), h = std::log10(hi);
    t = h == l ? 0.5 : (std::log10(v) - l) / (h - l);
  } else {
    t = hi == lo ? 0.5 : (v - lo) / (hi - lo);
  }
  return px_lo + t * (px_hi - px_lo);
}

namespace {

// Of 1, 2, 5, 10 x 10^k, the step nearest `raw` (by ratio).
double nice_step(double raw) {
  if (!(raw > 0) || !std::isfinite(raw)) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  double best = p;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (std::fabs(std::log(m * p / raw)) < std::fabs(std::log(best / raw)) - 1e-12) best = m * p;
  return best;
}

}  // namespace

std::vector<Tick> linear_ticks(double lo, double hi, int target, const Formatter& f) {
  std::vector<Tick> ticks;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return ticks;
  const double step = nice_step((hi - lo) / std::max(1, target));
  const double top = std::max(std::fabs(lo), std::fabs(hi));
  const int digits = std::clamp(static_cast<int>(std::floor(std::log10(top)) - std::floor(std::log10(step))) + 1, 1, 8);
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; ++k) {
    double v = k * step;
    if (std::fabs(v) < step * 1e-9) v = 0;
    ticks.push_back({v, true, f ? f(v) : si(v, digits)});
  }
  return ticks;
}

std::vector<Tick> log_ticks(double lo, double hi, const Formatter& f) {
  std::vector<Tick> ticks;
  if (!(lo > 0) || !(hi > lo) || !std::isfinite(hi)) return ticks;
  const int k0 = static_cast<int>(std::floor(std::log10(lo))), k1 = static_cast<int>(std::ceil(std::log10(hi)));
  const double tol = 1e-9;
  int powers = 0;
  for (int k = k0; k <= k1; ++k) {
    const double p = std::pow(10.0, k);
    if (p >= lo * (1 - tol) && p <= hi * (1 + tol)) ++powers;
  }
  for (int k = k0; k <= k1; ++k) {
    const double p = std::pow(10.0, k);
    for (int m = 1; m <= 9; ++m) {
      const double v = m * p;
      if (v < lo * (1 - tol) || v > hi * (1 + tol)) continue;
      const bool major = m == 1 || (powers < 3 && (m == 2 || m == 5));
      ticks.push_back({v, major, major ? (f ? f(v) : si_prefixed(v)) : std::string()});
    }
  }
  return ticks;
}

std::pair<double, double> nice_domain(double lo, double hi, bool log) {
  if (lo > hi) std::swap(lo, hi);
  if (log) {
    const double l = std::log10(lo), h = std::log10(hi);
    const double pad = std::max(0.2, 0.06 * (h - l));
    return {std::pow(10.0, l - pad), std::pow(10.0, h + pad)};
  }
  if (lo == hi) {
    const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    return {lo - pad, hi + pad};
  }
  const double pad = 0.04 * (hi - lo);
  double a = lo - pad, b = hi + pad;
  if (lo >= 0 && a < 0) a = 0;
  if (hi <= 0 && b > 0) b = 0;
  const double step = nice_step((b - a) / 6);
  return {std::floor(a / step + 1e-9) * step, std::ceil(b / step - 1e-9) * step};
}

bool spans_decades(const std::vector<double>& values, double decades) {
  double lo = INFINITY, hi = -INFINITY;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    if (v <= 0) return false;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return hi > lo && std::log10(hi / lo) > decades;
}

Axis axis(std::string label, std::string unit, bool log) {
  Axis a;
  a.label = std::move(label);
  a.unit = std::move(unit);
  a.log = log;
  return a;
}

std::string Axis::title() const { return unit.empty() ? label : label + " (" + unit + ")"; }

}  // namespace coda::report::svg
