// `coda carbon`: runs the built binary (build the `coda` target first) and recomputes its carbon
// figures from the tables and the architecture's area.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "coda/carbon/carbon.h"
#include "coda/hw/templates.h"
#include "../cli_util.h"

namespace fs = std::filesystem;
using namespace coda::test;

namespace {

// (CI_fab * EPA + GPA + MPA) / yield straight from the tables, without the library's formula.
double chip_g_per_cm2_from_tables(int node, const std::string& fab) {
  const coda::carbon::Tables& t = coda::carbon::tables();
  return (t.fab_locations_gco2_per_kwh.values.at(fab) * t.epa_kwh_per_cm2.values.at(node) +
          t.gpa_95_g_per_cm2.values.at(node) + t.mpa_g_per_cm2.values.at(node)) /
         t.default_yield;
}

class CarbonCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists((fs::path(CODA_BINARY_DIR) / "apps/coda/coda"))) << (fs::path(CODA_BINARY_DIR) / "apps/coda/coda") << " is missing: build the `coda` target before carbon_test";
  }
};

}  // namespace

// gemmini is a 22 nm template: with no preset the chip is priced at 22 nm in Taiwan with 95% abatement;
// the area is the architecture's, and operational carbon is energy x 3e7 x 224 g/kWh.
TEST_F(CarbonCli, GemminiCnnJson) {
  Outcome r = run_coda("carbon --arch gemmini --model models/cnn.onnx --json --threads 2");
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  double area_mm2 = coda::hw::build_template("gemmini").area_um2() / 1e6;
  EXPECT_NEAR(j["area_mm2"].get<double>(), area_mm2, 1e-9 * area_mm2);
  EXPECT_EQ(j["options"]["node_nm"].get<int>(), 22);
  EXPECT_EQ(j["options"]["node_from"].get<std::string>(), "architecture");
  double cpa = chip_g_per_cm2_from_tables(22, "taiwan");
  EXPECT_NEAR(cpa, 1576.8, 0.05);
  EXPECT_NEAR(j["chip_g_per_cm2"].get<double>(), cpa, 1e-9);
  EXPECT_NEAR(j["embodied_chip_g"].get<double>(), area_mm2 / 100 * cpa, 1e-9 * area_mm2 * cpa);
  EXPECT_GT(j["embodied_chip_g"].get<double>(), 0);
  EXPECT_EQ(j["embodied_memory_g"].get<double>(), 0);   // no DRAM unless asked
  double e_uj = j["energy_uj_per_inference"].get<double>();
  EXPECT_GT(e_uj, 0);
  double op = e_uj * 1e-6 / 3.6e6 * 224 * 3e7;
  EXPECT_NEAR(j["operational_g"].get<double>(), op, 1e-9 * op);
  EXPECT_NEAR(j["total_g"].get<double>(), j["embodied_g"].get<double>() + op, 1e-9 * (op + 1));
}

// The preset adds CATransformers' 1 GB of LPDDR3 (184 / 0.875 g); flags override the preset.
TEST_F(CarbonCli, PresetAndOverrides) {
  Outcome r = run_coda("carbon --arch gemmini --model models/cnn.onnx --json --threads 2 --preset catransformers "
                   "--fab iceland --grid british_columbia --inferences 1000");
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["embodied_memory_g"].get<double>(), 184 / 0.875, 1e-9);
  EXPECT_NEAR(j["chip_g_per_cm2"].get<double>(), 795.6, 0.05);
  double op = j["energy_uj_per_inference"].get<double>() * 1e-6 / 3.6e6 * 68 * 1000;
  EXPECT_NEAR(j["operational_g"].get<double>(), op, 1e-9 * op);
  EXPECT_EQ(j["options"]["grid"].get<std::string>(), "british_columbia");
}

TEST_F(CarbonCli, TextOutputNamesTheParts) {
  Outcome r = run_coda("carbon --arch gemmini --model models/cnn.onnx --threads 2");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* s : {"area", "energy per inference", "chip carbon per area", "embodied: chip", "embodied: memory",
                        "operational", "total", "1576.8"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
}

TEST_F(CarbonCli, BadInputIsOneLineExit2) {
  expect_one_line_error(run_coda("carbon --arch gemmini --model models/cnn.onnx --fab mars"), "--fab", "'mars' is not one of");
  expect_one_line_error(run_coda("carbon --arch gemmini --model models/cnn.onnx --node 16"), "--node", "28, 22, 20");
  expect_one_line_error(run_coda("carbon --arch gemmini --model models/cnn.onnx --grid lots"), "--grid", "california");
  expect_one_line_error(run_coda("carbon --arch gemmini --model models/cnn.onnx --dram-type ddr9"), "--dram-type", "lpddr3_20nm");
  expect_one_line_error(run_coda("carbon --arch gemmini --model models/cnn.onnx --preset act2"), "--preset", "catransformers");
  expect_one_line_error(run_coda("carbon --arch gemmini --model models/cnn.onnx --yield 2"), "--yield", "(0, 1]");
  expect_one_line_error(run_coda("carbon --arch gemmini --model models/cnn.onnx --abatement 99"), "--abatement", "no 22 nm");
  // eyeriss is a 65 nm template, a node ACT does not list: coda asks for --node instead of guessing.
  expect_one_line_error(run_coda("carbon --arch eyeriss --model models/cnn.onnx"), "--node", "65 nm");
  expect_one_line_error(run_coda("carbon --arch gemmini --model /nonexistent.onnx"), "/nonexistent.onnx", "");
}
