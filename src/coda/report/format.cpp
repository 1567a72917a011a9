#include "coda/report/format.h"

#include <cmath>
#include <cstdio>

#include "coda/report/data.h"
#include "coda/report/svg.h"

namespace coda::report {

namespace {

const char* const kPrefixes[] = {"y", "z", "a", "f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y"};

bool takes_prefix(const std::string& unit) {
  return unit != "mm²" && unit != "TOPS" && unit != "%" && unit != "dB" && unit != "ops/byte";
}

std::string digits_text(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

}  // namespace

Unit pick_unit(double max_value, const std::string& base) {
  if (!(max_value > 0) || !std::isfinite(max_value) || !takes_prefix(base)) return {1, base};
  int e3 = static_cast<int>(std::floor(std::log10(max_value) / 3)) * 3;
  e3 = std::max(-24, std::min(24, e3));
  return {std::pow(10.0, e3), kPrefixes[(e3 + 24) / 3] + base};
}

std::string with_unit(double v, const std::string& unit, int digits) {
  if (!std::isfinite(v)) return std::isnan(v) ? "–" : (v > 0 ? "∞" : "−∞");
  if (!takes_prefix(unit) || v == 0) return digits_text(v, digits) + (unit.empty() ? "" : " " + unit);
  Unit u = pick_unit(std::fabs(v), unit);
  std::string t = digits_text(v / u.factor, digits);
  if (t.find('e') != std::string::npos || std::fabs(std::strtod(t.c_str(), nullptr)) >= 1000) {  // 999.96 -> 1000
    u = pick_unit(std::fabs(v) * 1.001, unit);
    t = digits_text(v / u.factor, digits);
  }
  return u.name.empty() ? t : t + " " + u.name;
}

std::string metric_text(const std::string& metric, double v) {
  if (std::isnan(v)) return "–";
  if (metric == "accuracy") {
    char buf[64];
    if (v <= 1) std::snprintf(buf, sizeof buf, "%.2f%%", v * 100);
    else std::snprintf(buf, sizeof buf, "%.3f dB", v);
    return buf;
  }
  if (metric == "macs") return with_unit(v, "", 4);
  const MetricInfo m = metric_info(metric);
  return with_unit(v, m.unit, 4);
}

std::string html_escape(const std::string& s) { return svg::escape(s); }

}  // namespace coda::report
