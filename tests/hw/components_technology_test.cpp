// Technology scaling: the loaded tables reproduce Stillmaker & Baas (Integration 2017) at their
// tabulated nodes and the erratum's worked example; scaling is monotonic from 180 nm to 3 nm.
#include <gtest/gtest.h>

#include <cmath>

#include "coda/core/error.h"
#include "coda/hw/technology.h"

namespace {

using namespace coda::hw;

const TechnologyScaling& tech() {
  static const TechnologyScaling t = load_technology(std::string(CODA_SOURCE_DIR) + "/data/components/technology.yaml");
  return t;
}

// Stillmaker & Baas 2017, erratum to Sec. 4.2.1: EnergyFactor(65 nm, 1.3 V) = 2.604,
// EnergyFactor(HP 32 nm, 0.9 V) = 0.4571, so 1 pJ/op at 65 nm is 0.1755 pJ/op at 32 nm.
TEST(Technology, ReproducesErratumExample) {
  double y = energy_polynomial(tech(), "65", 1.3), x = energy_polynomial(tech(), "HP32", 0.9);
  EXPECT_NEAR(y, 2.604, 5e-4);
  EXPECT_NEAR(x, 0.4571, 5e-5);
  EXPECT_NEAR(x / y, 0.1755, 1e-4);   // the erratum divides the rounded factors: 0.4571 / 2.604
}

// The paper's area table: area at y / area at x for tabulated nodes x, y.
TEST(Technology, AreaScaleIsThePapersTableAtItsNodes) {
  EXPECT_DOUBLE_EQ(area_scale(tech(), 45, 7), 0.059);
  EXPECT_DOUBLE_EQ(area_scale(tech(), 130, 7), 0.0092);
  EXPECT_DOUBLE_EQ(area_scale(tech(), 45, 180), 19);
  EXPECT_DOUBLE_EQ(area_scale(tech(), 32, 14), 0.38);
  EXPECT_DOUBLE_EQ(area_scale(tech(), 7, 45), 17);
  EXPECT_DOUBLE_EQ(area_scale(tech(), 20, 20), 1);
}

TEST(Technology, EnergyFactorAtTabulatedNodesIsThePolynomialAtNominalSupply) {
  // HP45 at 1.0 V: 1.018 - 0.3107 + 0.1539 = 0.8612; HP7 at 0.7 V: 0.1776*0.49 - 0.09097*0.7 + 0.02447.
  double hp45 = 0.8612, hp7 = 0.1776 * 0.49 - 0.09097 * 0.7 + 0.02447;
  EXPECT_NEAR(energy_factor(tech(), 45), 1.0, 1e-12);
  EXPECT_NEAR(energy_scale(tech(), 45, 7), hp7 / hp45, 1e-9);
  EXPECT_NEAR(energy_scale(tech(), 7, 45) * energy_scale(tech(), 45, 7), 1.0, 1e-12);
}

TEST(Technology, ScalingIsMonotonicFrom180To3nm) {
  double prev_e = 1e9, prev_a = 1e9;
  for (double nm = 180; nm >= 3; nm -= 0.5) {
    double e = energy_factor(tech(), nm), a = area_factor(tech(), nm);
    EXPECT_LT(e, prev_e) << nm;
    EXPECT_LT(a, prev_a) << nm;
    EXPECT_GT(e, 0);
    EXPECT_GT(a, 0);
    prev_e = e;
    prev_a = a;
  }
}

TEST(Technology, InterpolatesBetweenAndExtrapolatesBelowTheTable) {
  double a20 = area_factor(tech(), 20), a22 = area_factor(tech(), 22), a32 = area_factor(tech(), 32);
  EXPECT_LT(a20, a22);
  EXPECT_LT(a22, a32);
  // Log-log: 22 nm sits on the line through (20, 0.21) and (32, 0.46).
  double slope = std::log(0.46 / 0.21) / std::log(32.0 / 20.0);
  EXPECT_NEAR(a22, 0.21 * std::pow(22.0 / 20.0, slope), 1e-12);
  // 3 nm extends the 10 -> 7 nm slope (an extrapolation, as technology.yaml says).
  double s = std::log(0.059 / 0.1) / std::log(0.7);
  EXPECT_NEAR(area_factor(tech(), 3), 0.059 * std::pow(3.0 / 7.0, s), 1e-12);
}

TEST(Technology, NodesOutsideTheRangeAreErrors) {
  EXPECT_THROW(energy_factor(tech(), 2), coda::InvalidError);
  EXPECT_THROW(area_scale(tech(), 250, 45), coda::InvalidError);
  EXPECT_THROW(energy_polynomial(tech(), "HP3", 0.7), coda::InvalidError);
}

TEST(Technology, MissingFileIsAnIoError) {
  EXPECT_THROW(load_technology("/nonexistent/technology.yaml"), coda::IoError);
}

}  // namespace
