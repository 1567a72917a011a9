// COMPUTE_REPORT.csv as SCALE-Sim's simulator.generate_reports writes it.
#include "coda/map/systolic_report.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "coda/core/error.h"

namespace coda::map {

std::string python_float_repr(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
  if (x == 0) return std::signbit(x) ? "-0.0" : "0.0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);  // shortest round trip
  std::string s(buf, res.ptr);
  std::string sign;
  if (s[0] == '-') sign = "-", s.erase(0, 1);
  size_t e = s.find('e');
  int exponent = std::atoi(s.c_str() + e + 1);
  std::string digits = s.substr(0, e);
  if (digits.size() > 1) digits.erase(1, 1);  // drop the '.'
  int point = exponent + 1;                   // digits d1 d2 ... times 10^(point - 1) after d1
  std::string out;
  if (point > -4 && point <= 16) {
    if (point <= 0) out = "0." + std::string(-point, '0') + digits;
    else if (point < static_cast<int>(digits.size())) out = digits.substr(0, point) + "." + digits.substr(point);
    else out = digits + std::string(point - digits.size(), '0') + ".0";
  } else {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char ex[16];
    std::snprintf(ex, sizeof ex, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += ex;
  }
  return sign + out;
}

std::string compute_report_csv(const std::vector<SystolicLayerCost>& layers) {
  std::string s = "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,\n";
  for (size_t i = 0; i < layers.size(); ++i) {
    const SystolicLayerCost& c = layers[i];
    s += std::to_string(i) + ", " + std::to_string(c.total_cycles) + ", " + std::to_string(c.stall_cycles) + ", " +
         python_float_repr(c.overall_util_pct) + ", " + python_float_repr(c.mapping_efficiency_pct) + ", " +
         python_float_repr(c.compute_util_pct) + ",\n";
  }
  return s;
}

void write_compute_report(const std::string& dir, const std::vector<SystolicLayerCost>& layers) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IoError(dir, "cannot create directory: " + ec.message());
  std::string path = (std::filesystem::path(dir) / "COMPUTE_REPORT.csv").string();
  std::ofstream out(path, std::ios::binary);
  if (!out) throw IoError(path, "cannot open for writing");
  out << compute_report_csv(layers);
  if (!out) throw IoError(path, "write failed");
}

}  // namespace coda::map
