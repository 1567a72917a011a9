// hw::TechnologyScaling: how energy and area change between CMOS nodes, from Stillmaker & Baas,
// "Scaling equations for the accurate prediction of CMOS device performance from 180 nm to 7 nm"
// (Integration 2017). The tables live in data/components/technology.yaml; nodes between the paper's
// are interpolated log-log, and 5 nm / 3 nm are an extrapolation (stated in the YAML), not the paper's.
//
//   hw::TechnologyScaling t = hw::load_technology(hw::data_dir() + "/components/technology.yaml");
//   double e7 = e45 * hw::energy_scale(t, 45, 7);    // ~0.056x, at each node's nominal supply
//   double a7 = a45 * hw::area_scale(t, 45, 7);      // 0.059x, the paper's table entry
#pragma once
#include <array>
#include <map>
#include <string>
#include <vector>

namespace coda::hw {

struct TechnologyScaling {
  std::string source;                              // the YAML file it was read from
  std::vector<int> nodes_nm;                       // the paper's nodes, largest first
  std::map<int, std::map<int, double>> area_relative;   // [x][y] = area at y / area at x
  // Per model key ("65", "HP45", "LP7", ...): d3 d2 d1 d0 e2 e1 e0 p2 p1 p0.
  std::map<std::string, std::array<double, 10>> polynomials;
  std::map<int, double> nominal_vdd;               // coda's choice of supply per node
  std::string variant = "HP";                      // model used at 45 nm and below
  double min_node_nm = 3, max_node_nm = 180;
};

// Reads data/components/technology.yaml. IoError if the file is missing, ParseError if malformed.
TechnologyScaling load_technology(const std::string& path);

// The paper's energy polynomial for one model key at supply vdd (e.g. ("HP32", 0.9) = 0.4571).
double energy_polynomial(const TechnologyScaling& t, const std::string& model_key, double vdd);

// Energy per operation at node_nm relative to 45 nm, each node at its nominal supply. Tabulated
// nodes use the paper's polynomial; others interpolate (or, below 7 nm, extrapolate) log-log.
double energy_factor(const TechnologyScaling& t, double node_nm);
// Area at node_nm relative to 45 nm (the paper's table row for 45 nm, interpolated likewise).
double area_factor(const TechnologyScaling& t, double node_nm);

// Multipliers that carry a value from one node to another. Between two tabulated nodes area_scale
// is the paper's table entry itself. InvalidError for a node outside [min_node_nm, max_node_nm].
double energy_scale(const TechnologyScaling& t, double from_nm, double to_nm);
double area_scale(const TechnologyScaling& t, double from_nm, double to_nm);

}  // namespace coda::hw
