// carbon: the ACT carbon model (Gupta et al., ISCA 2022) as CATransformers uses it. Embodied carbon
// of a chip is area-based, memory is per GB; operational carbon is energy x inferences x grid
// intensity. Every constant comes from data/carbon/*.yaml (each table cites its source); this file
// only evaluates the formulas:
//
//   chip carbon per area  [g/cm^2] = (CI_fab [g/kWh] * EPA(node) [kWh/cm^2] + GPA(node, abatement) + MPA(node)) / yield
//   embodied chip         [g]      = area [cm^2] * chip carbon per area
//   embodied memory       [g]      = dram_gb * DRAM(type) / yield + ssd_gb * SSD(type) / yield
//   operational           [g]      = energy per inference [kWh] * inferences * grid intensity [g/kWh]
//   total                 [g]      = embodied chip + embodied memory + operational
//
//   carbon::CarbonOptions o = carbon::catransformers_preset();   // 22 nm, Taiwan fab, 95%, 1 GB LPDDR3, 3e7, 224
//   double cpa = carbon::chip_carbon_per_cm2(o);                  // 1576.8 g/cm^2
//   carbon::CarbonEstimate e = carbon::estimate(/*area_mm2=*/12.5, /*energy_pj_per_inference=*/4.2e7, o);
//   e.embodied_chip_g, e.embodied_memory_g, e.operational_g, e.total_g;
//
// Nodes: only the nodes ACT's tables list (28, 22, 20, 14, 10, 8, 7, 5, 3 nm; GPA_99 has no 22 nm row)
// are accepted. A node between entries is an InvalidError naming the table's nodes: ACT's own code
// asserts the node is in its tables, and coda neither interpolates nor rounds to a neighbour.
// An unknown fab location, gas abatement, DRAM or SSD type or grid name is an InvalidError that names
// the choices. Names are case-insensitive, '-' and ' ' read as '_', and ACT's "loc_"/"src_" prefixes
// are accepted (loc_taiwan = taiwan).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "coda/hw/components.h"   // hw::data_dir()

namespace coda::carbon {

// One per-node ACT table (data/carbon/act.yaml), value by node in nm.
struct NodeTable {
  std::map<int, double> values;
  std::string source;
  bool verified = false;
  std::vector<int> unverified_nm;     // rows of a verified table that were not read in the source
};

// One named ACT or grid table, value by name.
struct NamedTable {
  std::map<std::string, double> values;
  std::string source;
  bool verified = false;
};

struct CarbonOptions {
  int node_nm = 22;                        // ACT logic node (28, 22, 20, 14, 10, 8, 7, 5, 3)
  std::string fab_location = "taiwan";     // fab's electricity: a location (taiwan, usa, ...) or a source (coal, solar, ...)
  int gas_abatement = 95;                  // 95 or 99 (% of fab gases abated); 97 = the mean of the two, ACT's default
  double yield = 0.875;                    // fab yield, (0, 1]; divides chip and memory carbon (ACT)
  double dram_gb = 0;                      // off-chip DRAM capacity priced as embodied carbon
  std::string dram_type = "lpddr3_20nm";
  double ssd_gb = 0;
  std::string ssd_type = "nand_10nm";      // ACT's Fab_SSD default
  double inferences = 3e7;                 // over the lifetime (CATransformers: 3 years of continuous inference)
  double grid_gco2_per_kwh = 224;          // operational grid intensity (CATransformers' California, 2024)
};

// A named preset (data/carbon/presets.yaml) and the grid name it was given with.
struct Preset {
  CarbonOptions options;
  std::string grid_name;                   // empty if the preset gives a number
};

struct Tables {
  std::string data_dir;
  NodeTable epa_kwh_per_cm2, gpa_95_g_per_cm2, gpa_99_g_per_cm2, mpa_g_per_cm2;
  double default_yield = 0;
  NamedTable fab_locations_gco2_per_kwh, fab_sources_gco2_per_kwh;
  NamedTable dram_g_per_gb, ssd_g_per_gb;
  NamedTable grid_gco2_per_kwh;            // operational presets (california, british_columbia, taiwan, ...)
  std::map<std::string, Preset> presets;
};

// Reads <dir>/carbon/{act,grid,presets}.yaml: IoError naming a missing file, ParseError naming the file
// and key of a malformed one (including a negative value or a yield outside (0, 1]).
Tables load_tables(const std::string& dir = hw::data_dir());
// The tables of hw::data_dir(), loaded once (thread-safe); a failed load throws and is retried next call.
const Tables& tables();

// Preset by name (InvalidError naming the presets for an unknown one); "catransformers" is
// CATransformers' estimator: 22 nm, Taiwan fab, 95% abatement, yield 0.875, 1 GB lpddr3_20nm,
// 3e7 inferences, 224 gCO2/kWh (California).
Preset preset(const std::string& name, const Tables& t = tables());
CarbonOptions catransformers_preset();

// Throws InvalidError(<option name>, ...) for an option the tables cannot price or a value out of
// range; `where` is the option's field name (node_nm, fab_location, gas_abatement, yield, dram_gb,
// dram_type, ssd_gb, ssd_type, inferences, grid_gco2_per_kwh).
void check(const CarbonOptions& o, const Tables& t = tables());

// Fab electricity intensity of a location or energy source, gCO2/kWh.
double fab_intensity_gco2_per_kwh(const std::string& location, const Tables& t = tables());
// A grid preset name (grid.yaml) or a non-negative number, gCO2/kWh. InvalidError("grid", ...) otherwise.
double grid_intensity_gco2_per_kwh(const std::string& name_or_number, const Tables& t = tables());

// The terms of chip carbon per area, each already divided by the yield; total_g_per_cm2 is their sum.
struct ChipCarbon {
  double fab_gco2_per_kwh = 0, epa_kwh_per_cm2 = 0, gpa_g_per_cm2 = 0, mpa_g_per_cm2 = 0, yield = 0;
  double energy_g_per_cm2 = 0, gas_g_per_cm2 = 0, materials_g_per_cm2 = 0, total_g_per_cm2 = 0;
};
ChipCarbon chip_carbon(const CarbonOptions& o, const Tables& t = tables());
// (CI_fab * EPA + GPA + MPA) / yield, g/cm^2.
double chip_carbon_per_cm2(const CarbonOptions& o, const Tables& t = tables());
// DRAM / SSD embodied carbon per GB after yield (table / yield), g/GB.
double dram_carbon_per_gb(const CarbonOptions& o, const Tables& t = tables());
double ssd_carbon_per_gb(const CarbonOptions& o, const Tables& t = tables());

struct CarbonEstimate {
  double area_cm2 = 0;
  double chip_g_per_cm2 = 0;               // chip_carbon_per_cm2(o)
  double embodied_chip_g = 0;              // area_cm2 * chip_g_per_cm2
  double embodied_dram_g = 0, embodied_ssd_g = 0;
  double embodied_memory_g = 0;            // dram + ssd
  double embodied_g = 0;                   // chip + memory
  double energy_kwh_per_inference = 0;
  double per_inference_operational_g = 0;  // energy_kwh_per_inference * grid
  double operational_g = 0;                // per inference * inferences
  double total_g = 0;                      // embodied + operational
};

// area_mm2: chip (logic + on-chip memory) area; energy_pj_per_inference: energy of one inference.
// InvalidError for a negative or non-finite area or energy, or for options check() rejects.
CarbonEstimate estimate(double area_mm2, double energy_pj_per_inference, const CarbonOptions& o,
                        const Tables& t = tables());

}  // namespace coda::carbon
