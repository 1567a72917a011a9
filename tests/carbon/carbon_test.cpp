// The ACT carbon model: published figures reproduced from data/carbon/*.yaml, hand-worked
// operational and memory carbon, and bad input.
#include "coda/carbon/carbon.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "coda/core/error.h"

namespace fs = std::filesystem;
using namespace coda;
using namespace coda::carbon;

namespace {

CarbonOptions at(int node, const std::string& fab, int abatement = 95) {
  CarbonOptions o;
  o.node_nm = node;
  o.fab_location = fab;
  o.gas_abatement = abatement;
  o.yield = 0.875;
  return o;
}

// Runs f, expects an InvalidError whose where and message contain the given texts.
template <class F>
void expect_invalid(F f, const std::string& where, const std::string& what) {
  try {
    f();
    ADD_FAILURE() << "no error; expected " << where << ": " << what;
  } catch (const InvalidError& e) {
    EXPECT_NE(e.where().find(where), std::string::npos) << e.what();
    EXPECT_NE(e.message().find(what), std::string::npos) << e.what();
  }
}

}  // namespace

// CATransformers' embodied model (ACT Fab_Logic at 22 nm, 95% abatement, yield 0.875) gives
// 1576.8 g/cm^2 for a Taiwan fab, 1240.8 for the USA and 795.6 for Iceland (specs/papers.md §2 (a)).
TEST(ActChip, Reproduces22nmFigures) {
  EXPECT_NEAR(chip_carbon_per_cm2(at(22, "taiwan")), 1576.8, 0.05);
  EXPECT_NEAR(chip_carbon_per_cm2(at(22, "usa")), 1240.8, 0.05);
  EXPECT_NEAR(chip_carbon_per_cm2(at(22, "iceland")), 795.6, 0.05);
  EXPECT_NEAR(chip_carbon_per_cm2(catransformers_preset()), 1576.8, 0.05);
  // The terms: Taiwan 642 g/kWh x 1.077 kWh/cm^2 = 691.434, gases 188.28, materials 500, over 0.875.
  ChipCarbon c = chip_carbon(at(22, "taiwan"));
  EXPECT_DOUBLE_EQ(c.fab_gco2_per_kwh, 642);
  EXPECT_DOUBLE_EQ(c.epa_kwh_per_cm2, 1.077);
  EXPECT_DOUBLE_EQ(c.gpa_g_per_cm2, 188.28);
  EXPECT_DOUBLE_EQ(c.mpa_g_per_cm2, 500);
  EXPECT_NEAR(c.energy_g_per_cm2, 691.434 / 0.875, 1e-9);
  EXPECT_NEAR(c.energy_g_per_cm2 + c.gas_g_per_cm2 + c.materials_g_per_cm2, c.total_g_per_cm2, 1e-9);
  EXPECT_NEAR(c.total_g_per_cm2, 1379.714 / 0.875, 1e-9);
}

// Other nodes, from ACT's master tables (logic/epa.json, gpa_95.json, gpa_99.json, materials.json).
TEST(ActChip, OtherNodesAndAbatement) {
  // 7 nm, 99%, a USA fab: (369 x 2.15 + 200 + 500) / 0.875.
  EXPECT_NEAR(chip_carbon_per_cm2(at(7, "usa", 99)), (369 * 2.15 + 200 + 500) / 0.875, 1e-9);
  // 3 nm, 95%, Europe: (300 x 3.25 + 470 + 500) / 0.875.
  EXPECT_NEAR(chip_carbon_per_cm2(at(3, "europe", 95)), (300 * 3.25 + 470 + 500) / 0.875, 1e-9);
  // ACT's default "97": the mean of GPA_95 and GPA_99 (28 nm: (175 + 100) / 2).
  EXPECT_NEAR(chip_carbon_per_cm2(at(28, "world", 97)), (481 * 0.9 + 137.5 + 500) / 0.875, 1e-9);
  // A fab powered by an energy source rather than a location's grid (ACT's src_ intensities).
  EXPECT_NEAR(chip_carbon_per_cm2(at(14, "coal")), (820 * 1.2 + 200 + 500) / 0.875, 1e-9);
  // Yield divides everything.
  CarbonOptions y = at(22, "taiwan");
  y.yield = 1.0;
  EXPECT_NEAR(chip_carbon_per_cm2(y), 1379.714, 1e-9);
  // Names: case, '-', ' ' and ACT's loc_ prefix.
  EXPECT_DOUBLE_EQ(chip_carbon_per_cm2(at(22, "Taiwan")), chip_carbon_per_cm2(at(22, "loc_taiwan")));
}

TEST(ActTables, AsReadInTheSources) {
  const Tables& t = tables();
  std::vector<int> nodes;
  for (auto it = t.epa_kwh_per_cm2.values.rbegin(); it != t.epa_kwh_per_cm2.values.rend(); ++it) nodes.push_back(it->first);
  EXPECT_EQ(nodes, (std::vector<int>{28, 22, 20, 14, 10, 8, 7, 5, 3}));
  EXPECT_EQ(t.gpa_95_g_per_cm2.values.size(), 9u);
  EXPECT_EQ(t.mpa_g_per_cm2.values.size(), 9u);
  EXPECT_EQ(t.gpa_99_g_per_cm2.values.count(22), 0u);  // not in any source read
  EXPECT_DOUBLE_EQ(t.gpa_99_g_per_cm2.values.at(28), 100);
  EXPECT_DOUBLE_EQ(t.gpa_99_g_per_cm2.values.at(3), 275);
  EXPECT_DOUBLE_EQ(t.default_yield, 0.875);
  EXPECT_DOUBLE_EQ(t.fab_locations_gco2_per_kwh.values.at("iceland"), 7.3);
  EXPECT_DOUBLE_EQ(t.fab_locations_gco2_per_kwh.values.at("world"), 481);
  EXPECT_DOUBLE_EQ(t.grid_gco2_per_kwh.values.at("british_columbia"), 68);
  EXPECT_DOUBLE_EQ(t.grid_gco2_per_kwh.values.at("taiwan"), 524);
  EXPECT_TRUE(t.epa_kwh_per_cm2.verified);
  EXPECT_EQ(t.gpa_95_g_per_cm2.unverified_nm, std::vector<int>{22});
  // The struct's defaults are the CATransformers preset without its DRAM (kept in step with the data).
  CarbonOptions d, p = catransformers_preset();
  EXPECT_EQ(d.node_nm, p.node_nm);
  EXPECT_EQ(d.fab_location, p.fab_location);
  EXPECT_EQ(d.gas_abatement, p.gas_abatement);
  EXPECT_DOUBLE_EQ(d.yield, p.yield);
  EXPECT_EQ(d.dram_type, p.dram_type);
  EXPECT_DOUBLE_EQ(d.inferences, p.inferences);
  EXPECT_DOUBLE_EQ(d.grid_gco2_per_kwh, p.grid_gco2_per_kwh);
  EXPECT_DOUBLE_EQ(d.dram_gb, 0);
  EXPECT_DOUBLE_EQ(p.dram_gb, 1);
  EXPECT_EQ(preset("catransformers").grid_name, "california");
}

// Memory: ACT's Fab_DRAM("lpddr3_20nm") = 184 g/GB / 0.875 = 210.29 g/GB; SSD likewise.
TEST(ActMemory, DramAndSsdPerGb) {
  CarbonOptions o = catransformers_preset();
  EXPECT_NEAR(dram_carbon_per_gb(o), 184 / 0.875, 1e-12);
  EXPECT_NEAR(dram_carbon_per_gb(o), 210.2857142857, 1e-9);
  CarbonEstimate e = estimate(0, 0, o);
  EXPECT_NEAR(e.embodied_memory_g, 210.2857142857, 1e-9);   // the preset's 1 GB
  EXPECT_NEAR(e.embodied_g, e.embodied_memory_g, 1e-12);
  o.dram_gb = 8;
  o.dram_type = "ddr4_10nm";
  o.ssd_gb = 256;
  o.ssd_type = "nand_10nm";
  e = estimate(0, 0, o);
  EXPECT_NEAR(e.embodied_dram_g, 8 * 65 / 0.875, 1e-9);
  EXPECT_NEAR(e.embodied_ssd_g, 256 * 10 / 0.875, 1e-9);
  EXPECT_NEAR(e.embodied_memory_g, (8 * 65 + 256 * 10) / 0.875, 1e-9);
}

// Operational, by hand: 3.6e12 pJ = 3.6 J = 1e-6 kWh per inference; at 224 g/kWh that is 2.24e-4 g,
// and over 3e7 inferences 6720 g. At 68 g/kWh (British Columbia): 2040 g.
TEST(Operational, HandWorked) {
  CarbonOptions o = catransformers_preset();
  o.dram_gb = 0;
  CarbonEstimate e = estimate(0, 3.6e12, o);
  EXPECT_NEAR(e.energy_kwh_per_inference, 1e-6, 1e-18);
  EXPECT_NEAR(e.per_inference_operational_g, 2.24e-4, 1e-16);
  EXPECT_NEAR(e.operational_g, 6720, 1e-8);
  EXPECT_NEAR(e.total_g, 6720, 1e-8);
  o.grid_gco2_per_kwh = grid_intensity_gco2_per_kwh("british_columbia");
  EXPECT_NEAR(estimate(0, 3.6e12, o).operational_g, 2040, 1e-8);
  EXPECT_DOUBLE_EQ(grid_intensity_gco2_per_kwh("British Columbia"), 68);
  EXPECT_DOUBLE_EQ(grid_intensity_gco2_per_kwh("410.5"), 410.5);
}

// All parts together: 100 mm^2 = 1 cm^2 of 22 nm Taiwan silicon, 1 GB LPDDR3, 3.6e12 pJ per inference.
TEST(Estimate, PartsAddUp) {
  CarbonEstimate e = estimate(100, 3.6e12, catransformers_preset());
  EXPECT_DOUBLE_EQ(e.area_cm2, 1.0);
  EXPECT_NEAR(e.embodied_chip_g, 1576.816, 1e-3);
  EXPECT_NEAR(e.embodied_g, 1576.816 + 210.2857, 1e-3);
  EXPECT_NEAR(e.total_g, 1576.816 + 210.2857 + 6720, 1e-3);
  // CATransformers' area cap, 31 990 347 um^2 = 0.3199 cm^2, is at most ~0.50 kg of chip carbon in Taiwan.
  EXPECT_NEAR(estimate(31.990347, 0, catransformers_preset()).embodied_chip_g, 504.4, 0.1);
}

TEST(BadInput, NamesTheChoices) {
  expect_invalid([] { chip_carbon_per_cm2(at(16, "taiwan")); }, "node_nm", "28, 22, 20, 14, 10, 8, 7, 5, 3");
  expect_invalid([] { chip_carbon_per_cm2(at(22, "taiwan", 99)); }, "gas_abatement", "GPA_99 table has no 22 nm");
  expect_invalid([] { chip_carbon_per_cm2(at(22, "taiwan", 97)); }, "gas_abatement", "GPA_99 table has no 22 nm");
  expect_invalid([] { chip_carbon_per_cm2(at(22, "taiwan", 90)); }, "gas_abatement", "95, 99, 97");
  expect_invalid([] { chip_carbon_per_cm2(at(22, "mars")); }, "fab_location", "taiwan");
  expect_invalid([] { chip_carbon_per_cm2(at(22, "mars")); }, "fab_location", "coal");
  CarbonOptions o = catransformers_preset();
  o.dram_type = "ddr9";
  expect_invalid([&] { estimate(1, 1, o); }, "dram_type", "lpddr3_20nm");
  o = catransformers_preset();
  o.ssd_type = "floppy";
  expect_invalid([&] { estimate(1, 1, o); }, "ssd_type", "nand_10nm");
  for (double y : {0.0, -0.5, 1.5}) {
    o = catransformers_preset();
    o.yield = y;
    expect_invalid([&] { chip_carbon_per_cm2(o); }, "yield", "(0, 1]");
  }
  o = catransformers_preset();
  o.inferences = -1;
  expect_invalid([&] { estimate(1, 1, o); }, "inferences", "non-negative");
  o = catransformers_preset();
  o.dram_gb = std::nan("");
  expect_invalid([&] { estimate(1, 1, o); }, "dram_gb", "non-negative");
  expect_invalid([] { estimate(-1, 1, catransformers_preset()); }, "area_mm2", "non-negative");
  expect_invalid([] { estimate(1, -1, catransformers_preset()); }, "energy_pj_per_inference", "non-negative");
  expect_invalid([] { grid_intensity_gco2_per_kwh("mars"); }, "grid", "california");
  expect_invalid([] { grid_intensity_gco2_per_kwh("-5"); }, "grid", "non-negative");
  expect_invalid([] { grid_intensity_gco2_per_kwh(""); }, "grid", "california");
  expect_invalid([] { preset("act2"); }, "preset", "catransformers");
}

// The tables are data: a missing file is an IoError naming it, a malformed one a ParseError naming
// file and key.
TEST(BadInput, MissingOrMalformedTables) {
  fs::path dir = fs::temp_directory_path() / ("coda_carbon_" + std::to_string(getpid()));
  fs::create_directories(dir / "carbon");
  try {
    load_tables(dir.string());
    ADD_FAILURE() << "no error for a missing act.yaml";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("act.yaml"), std::string::npos) << e.what();
  }
  fs::path src = fs::path(CODA_SOURCE_DIR) / "data" / "carbon";
  for (const char* f : {"act.yaml", "grid.yaml", "presets.yaml"}) fs::copy_file(src / f, dir / "carbon" / f);
  EXPECT_NO_THROW(load_tables(dir.string()));
  auto rewrite = [&](const std::string& from, const std::string& to) {
    std::ifstream in(src / "act.yaml");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::ofstream(dir / "carbon" / "act.yaml") << text;
  };
  rewrite("28: 0.90", "28: -0.90");
  try {
    load_tables(dir.string());
    ADD_FAILURE() << "no error for a negative EPA";
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("act.yaml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("epa_kwh_per_cm2"), std::string::npos) << e.what();
  }
  rewrite("value: 0.875", "value: 1.875");
  EXPECT_THROW(load_tables(dir.string()), ParseError);
  rewrite("28: 0.90", "28: [0.90");
  EXPECT_THROW(load_tables(dir.string()), ParseError);
  fs::remove_all(dir);
}
