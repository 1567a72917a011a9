// Component models: the loaded tables reproduce the published values they cite, the storage fits
// reproduce their fitting points within the stated error, and missing or malformed data files give
// errors naming the file.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "coda/core/error.h"
#include "coda/hw/components.h"

namespace {

using namespace coda::hw;

const std::string kData = std::string(CODA_SOURCE_DIR) + "/data";

const ComponentLibrary& lib() {
  static const ComponentLibrary l = load_components(kData);
  return l;
}

// Horowitz, "Computing's energy problem", ISSCC 2014, Fig. 1.1.9 (45 nm): energy per operation.
TEST(Components, ArithmeticReproducesHorowitz2014) {
  EXPECT_NEAR(int_adder_cost(lib(), 8, 45).energy_pj, 0.03, 1e-12);
  EXPECT_NEAR(int_adder_cost(lib(), 32, 45).energy_pj, 0.1, 1e-12);
  EXPECT_NEAR(int_multiplier_cost(lib(), 8, 45).energy_pj, 0.2, 1e-12);
  EXPECT_NEAR(int_multiplier_cost(lib(), 32, 45).energy_pj, 3.1, 1e-12);
  EXPECT_NEAR(fp_adder_cost(lib(), 16, 45).energy_pj, 0.4, 1e-12);
  EXPECT_NEAR(fp_adder_cost(lib(), 32, 45).energy_pj, 0.9, 1e-12);
  EXPECT_NEAR(fp_multiplier_cost(lib(), 11, 45).energy_pj, 1.1, 1e-12);   // FP16: 11-bit significand
  EXPECT_NEAR(fp_multiplier_cost(lib(), 24, 45).energy_pj, 3.7, 1e-12);   // FP32: 24-bit significand
  EXPECT_NEAR(int_multiplier_cost(lib(), 8, 45).area_um2, 282, 1e-9);
  EXPECT_NEAR(int_multiplier_cost(lib(), 32, 45).area_um2, 3495, 1e-9);
}

TEST(Components, MacIsMultiplierPlusAccumulator) {
  // INT8 x INT8 + INT32 add = 0.2 + 0.1 pJ; FP16 x FP16 + FP32 add = 1.1 + 0.9; FP32 = 3.7 + 0.9.
  EXPECT_NEAR(mac_cost(lib(), "INT8", 45).energy_pj, 0.3, 1e-12);
  EXPECT_NEAR(mac_cost(lib(), "FP16", 45).energy_pj, 2.0, 1e-12);
  EXPECT_NEAR(mac_cost(lib(), "FP32", 45).energy_pj, 4.6, 1e-12);
  EXPECT_NEAR(mac_cost(lib(), "INT8", 45).area_um2, 282 + 137, 1e-9);
}

TEST(Components, MacEnergyGrowsWithPrecision) {
  for (const char* chain : {"INT2 INT4 INT8 INT16", "FP8 BF16 FP16 FP32"}) {
    std::istringstream in(chain);
    std::string prev, cur;
    in >> prev;
    while (in >> cur) {
      EXPECT_LT(mac_cost(lib(), prev, 45).energy_pj, mac_cost(lib(), cur, 45).energy_pj) << prev << " < " << cur;
      EXPECT_LT(mac_cost(lib(), prev, 45).area_um2, mac_cost(lib(), cur, 45).area_um2) << prev << " < " << cur;
      prev = cur;
    }
  }
  EXPECT_LT(mac_cost(lib(), "INT8", 45).energy_pj, mac_cost(lib(), "FP8", 45).energy_pj);
}

TEST(Components, UnknownPrecisionListsValidOnes) {
  try {
    mac_cost(lib(), "INT3", 45);
    FAIL();
  } catch (const coda::InvalidError& e) {
    EXPECT_NE(e.message().find("INT3"), std::string::npos);
    EXPECT_NE(e.message().find("INT2, INT4, INT8, INT16, FP8, BF16, FP16, FP32"), std::string::npos) << e.what();
  }
}

TEST(Components, PrecisionScalableMacSplitsOneInt8Unit) {
  ArithCost int8 = mac_cost(lib(), "INT8", 45);
  ArithCost s8 = scalable_mac_cost(lib(), "INT8", 45), s4 = scalable_mac_cost(lib(), "INT4", 45),
            s2 = scalable_mac_cost(lib(), "INT2", 45);
  EXPECT_EQ(scalable_ops_per_cycle(lib(), "INT4"), 2);
  EXPECT_EQ(scalable_ops_per_cycle(lib(), "INT2"), 4);
  // One unit, one area, whatever the mode; energy per cycle shared by the cycle's operations.
  EXPECT_DOUBLE_EQ(s8.area_um2, s4.area_um2);
  EXPECT_DOUBLE_EQ(s8.area_um2, s2.area_um2);
  EXPECT_NEAR(s8.area_um2, int8.area_um2 * (1 + lib().scalable_area_overhead), 1e-9);
  EXPECT_NEAR(s4.energy_pj, s8.energy_pj / 2, 1e-12);
  EXPECT_NEAR(s2.energy_pj, s8.energy_pj / 4, 1e-12);
  EXPECT_GT(s8.energy_pj, int8.energy_pj);   // the decomposable unit costs more than a fixed one
  EXPECT_THROW(scalable_mac_cost(lib(), "INT16", 45), coda::InvalidError);
}

// Accelergy outputs of the Timeloop/Accelergy ISPASS 2020 exercises (arch/ERT.yaml, random access:
// address_delta = data_delta = 1) and Horowitz ISSCC 2014 SRAM reads. Written out here as the
// independent reference; data/components/storage.yaml states the fit's form and error.
struct Point { const char* kind; int width; int64_t depth; int banks; double energy_pj; double tolerance; };
const Point kStoragePoints[] = {
    {"SRAM", 64, 32768, 1, 39.878, 0.20},    // ex.01 MainMemory, 40 nm
    {"SRAM", 256, 8192, 1, 102.865, 0.20},   // ex.03 GlobalBuffer, 40 nm
    {"SRAM", 64, 16384, 32, 52.612, 0.20},   // ex.06 shared_glb, 45 nm
    {"SRAM", 64, 1024, 1, 10.0, 0.20},       // Horowitz: 8 KB, 64-bit read
    {"SRAM", 64, 4096, 1, 20.0, 0.20},       // Horowitz: 32 KB
    {"SRAM", 64, 131072, 1, 100.0, 0.20},    // Horowitz: 1 MB
    {"regfile", 8, 64, 1, 0.42, 0.23},       // ex.00-05 RegisterFile, 40 nm
    {"regfile", 16, 16, 1, 0.202, 0.23},     // ex.06 DummyBuffer
    {"regfile", 16, 12, 1, 0.237, 0.23},     // ex.06 ifmap_spad
    {"regfile", 16, 192, 1, 1.586, 0.23},    // ex.06 weights_spad
    {"regfile", 16, 16, 1, 0.251, 0.23},     // ex.06 psum_spad
};

TEST(Components, StorageFitReproducesErtPointsWithinStatedError) {
  for (const Point& p : kStoragePoints) {
    double e = storage_cost(lib(), p.kind, p.width, p.depth, p.banks, 45).read_energy_pj;
    EXPECT_NEAR(e / p.energy_pj, 1.0, p.tolerance) << p.kind << " " << p.width << "x" << p.depth;
  }
  EXPECT_LE(lib().sram.read_energy_pj.max_error, 0.20);
  EXPECT_LE(lib().regfile.read_energy_pj.max_error, 0.23);
}

TEST(Components, StorageFitMatchesItsOwnFitPointsAndStatedMaxError) {
  for (const StorageModel* m : {&lib().sram, &lib().regfile}) {
    double worst = 0, worst_area = 0;
    ASSERT_FALSE(m->fit_points.empty());
    for (const FitPoint& p : m->fit_points) {
      if (p.read_energy_pj > 0)
        worst = std::max(worst, std::abs(m->read_energy_pj.eval(p.width_bits, p.depth, p.banks) / p.read_energy_pj - 1));
      if (p.area_um2 > 0)
        worst_area = std::max(worst_area, std::abs(m->area_um2.eval(p.width_bits, p.depth, p.banks) / p.area_um2 - 1));
    }
    EXPECT_LE(worst, m->read_energy_pj.max_error + 1e-3);
    EXPECT_GT(worst, m->read_energy_pj.max_error - 0.01);   // the stated error is the real worst case
    EXPECT_LE(worst_area, m->area_um2.max_error + 1e-3);
  }
}

TEST(Components, SramAreaReproducesArtPoints) {
  // ART.yaml: 746966 um2 (64x32768), 679274 (256x8192), 1162549 (64x16384, 32 banks).
  EXPECT_NEAR(storage_cost(lib(), "SRAM", 64, 32768, 1, 45).area_um2 / 746966.0, 1.0, 0.05);
  EXPECT_NEAR(storage_cost(lib(), "SRAM", 256, 8192, 1, 45).area_um2 / 679274.0, 1.0, 0.05);
  EXPECT_NEAR(storage_cost(lib(), "SRAM", 64, 16384, 32, 45).area_um2 / 1162549.0, 1.0, 0.01);
}

TEST(Components, StorageGrowsWithSizeAndShrinksWithNode) {
  StorageCost small = storage_cost(lib(), "SRAM", 64, 1024, 1, 45), big = storage_cost(lib(), "SRAM", 64, 65536, 1, 45);
  EXPECT_LT(small.read_energy_pj, big.read_energy_pj);
  EXPECT_LT(small.area_um2, big.area_um2);
  StorageCost at7 = storage_cost(lib(), "SRAM", 64, 65536, 1, 7);
  EXPECT_LT(at7.read_energy_pj, big.read_energy_pj);
  EXPECT_NEAR(at7.area_um2 / big.area_um2, 0.059, 1e-12);   // Stillmaker & Baas area table, 45 -> 7 nm
  EXPECT_THROW(storage_cost(lib(), "eDRAM", 64, 1024, 1, 45), coda::InvalidError);
  EXPECT_THROW(storage_cost(lib(), "SRAM", 0, 1024, 1, 45), coda::InvalidError);
}

TEST(Components, DramEnergyPerBit) {
  // Accelergy's LPDDR4 entry: the exercise 06 ERT has 512 pJ per 64-bit access (8 pJ/bit).
  EXPECT_DOUBLE_EQ(dram_energy_pj_per_bit(lib(), "LPDDR4") * 64, 512.0);
  EXPECT_LT(dram_energy_pj_per_bit(lib(), "HBM2"), dram_energy_pj_per_bit(lib(), "LPDDR4"));
  EXPECT_LT(dram_energy_pj_per_bit(lib(), "LPDDR4"), dram_energy_pj_per_bit(lib(), "DDR4"));
  // Horowitz 2014: DRAM 1.3-2.6 nJ per 64-bit access.
  double ddr3 = dram_energy_pj_per_bit(lib(), "DDR3") * 64;
  EXPECT_GE(ddr3, 1300);
  EXPECT_LE(ddr3, 2600);
  try {
    dram_energy_pj_per_bit(lib(), "GDDR7");
    FAIL();
  } catch (const coda::InvalidError& e) {
    EXPECT_NE(e.message().find("LPDDR4, DDR4, HBM2"), std::string::npos) << e.what();
  }
}

// NoC: Keckler et al., IEEE Micro 2011, Table 1 (40 nm): 310 pJ to move 256 bits over 10 mm.
TEST(Components, NocHopEnergyIsRouterPlusWireTimesLength) {
  EXPECT_DOUBLE_EQ(lib().noc_wire_pj_per_bit_mm, 310.0 / (256 * 10));
  EXPECT_DOUBLE_EQ(lib().noc_router_pj_per_bit_hop, 0);
  EXPECT_DOUBLE_EQ(noc_hop_energy_pj_per_bit(lib(), 0), 0);
  EXPECT_DOUBLE_EQ(noc_hop_energy_pj_per_bit(lib(), 2.5), 2.5 * 310.0 / 2560);
  EXPECT_FALSE(lib().noc_wire_verified);  // read only through a quotation of the table
  EXPECT_THROW(noc_hop_energy_pj_per_bit(lib(), -1), coda::InvalidError);
}

// Accelergy's DRAM table (accelergy-cacti-plug-in cacti_wrapper.py): HBM2 3.9 pJ/bit.
TEST(Components, Hbm2FromAccelergysDramTable) {
  EXPECT_DOUBLE_EQ(dram_energy_pj_per_bit(lib(), "HBM2") * 64, 3.9 * 64);
}

TEST(Components, MissingDataFileIsAnIoErrorNamingIt) {
  try {
    load_components("/nonexistent/coda-data");
    FAIL();
  } catch (const coda::IoError& e) {
    EXPECT_NE(e.where().find("/nonexistent/coda-data/components/storage.yaml"), std::string::npos) << e.what();
  }
}

std::filesystem::path copy_data(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "components");
  for (const char* f : {"storage.yaml", "arith.yaml", "dram.yaml", "technology.yaml", "noc.yaml"})
    std::filesystem::copy_file(kData + "/components/" + f, dir / "components" / f);
  return dir;
}

TEST(Components, MalformedDataFileIsAParseErrorNamingIt) {
  auto dir = copy_data("coda_components_bad");
  std::ofstream(dir / "components" / "dram.yaml") << "dram:\n  - {type: LPDDR4, energy_pj_per_bit: fast}\n";
  try {
    load_components(dir.string());
    FAIL();
  } catch (const coda::ParseError& e) {
    EXPECT_NE(e.where().find("dram.yaml"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("energy_pj_per_bit"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(Components, MalformedNocFileIsAParseErrorNamingIt) {
  auto dir = copy_data("coda_components_bad_noc");
  std::ofstream(dir / "components" / "noc.yaml") << "wire: {energy_pj_per_bit_mm: -1}\nrouter: {energy_pj_per_bit_hop: 0}\n";
  try {
    load_components(dir.string());
    FAIL();
  } catch (const coda::ParseError& e) {
    EXPECT_NE(e.where().find("noc.yaml"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(Components, DataDirHonoursEnvironment) {
  const char* old = std::getenv("CODA_DATA_DIR");
  std::string saved = old ? old : "";
  unsetenv("CODA_DATA_DIR");
  EXPECT_TRUE(std::filesystem::equivalent(data_dir(), kData));
  auto dir = copy_data("coda_components_env");
  setenv("CODA_DATA_DIR", dir.c_str(), 1);
  EXPECT_EQ(data_dir(), dir.string());
  EXPECT_EQ(load_components().data_dir, dir.string());
  if (old) setenv("CODA_DATA_DIR", saved.c_str(), 1); else unsetenv("CODA_DATA_DIR");
  std::filesystem::remove_all(dir);
}

}  // namespace
