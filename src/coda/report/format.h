// report: numbers as the report prints them, with units and SI prefixes.
//
//   report::with_unit(1.4848e-6, "s");            // "1.485 µs"
//   report::metric_text("accuracy", 0.8475);      // "84.75%"
//   report::Unit u = report::pick_unit(3.2e-7, "J");   // {1e-9, "nJ"}: 3.2e-7 J = 320 nJ
#pragma once
#include <string>

namespace coda::report {

// A prefixed unit for values up to `max_value` (in the base unit): values / factor fall in [1, 1000).
struct Unit {
  double factor = 1;
  std::string name;
};
Unit pick_unit(double max_value, const std::string& base);

// `digits` significant digits, an SI prefix and the unit: "1.485 µs", "320 nJ", "12.5 mm²" (units
// that take no prefix: mm², TOPS, %, and an empty unit gets a bare prefix, "4.24 M").
std::string with_unit(double v, const std::string& unit, int digits = 4);

// A stored metric's value as text: accuracy <= 1 as a percentage, PSNR-like accuracy in dB, the
// others with their unit (metric_info).
std::string metric_text(const std::string& metric, double v);

// HTML text: & < > " escaped (svg::escape).
std::string html_escape(const std::string& s);

}  // namespace coda::report
