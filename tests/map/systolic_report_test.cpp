// COMPUTE_REPORT.csv formatting: Python's float repr (expected strings printed by CPython 3.11's repr)
// and SCALE-Sim's header and row layout.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "coda/core/error.h"
#include "coda/map/systolic_report.h"

namespace {

using coda::map::python_float_repr;

TEST(PythonFloatRepr, MatchesCPython) {
  const std::pair<double, const char*> cases[] = {
      {62.29016948897019, "62.29016948897019"},
      {9.22324996665417e-09, "9.22324996665417e-09"},
      {8403481205226678.0, "8403481205226678.0"},
      {943356716998.3137, "943356716998.3137"},
      {5.185325369909766e-05, "5.185325369909766e-05"},
      {1132059.6465314436, "1132059.6465314436"},
      {100.0, "100.0"},
      {50.0, "50.0"},
      {0.5, "0.5"},
      {1e+22, "1e+22"},
      {1e16, "1e+16"},
      {1.5e16, "1.5e+16"},
      {123456789012345678.0, "1.2345678901234568e+17"},
      {0.0001, "0.0001"},
      {1e-05, "1e-05"},
      {2.5e-07, "2.5e-07"},
      {1.0 / 3, "0.3333333333333333"},
      {0.1 + 0.2, "0.30000000000000004"},
      {0.0, "0.0"},
      {-2.5, "-2.5"},
  };
  for (auto [x, s] : cases) EXPECT_EQ(python_float_repr(x), s);
}

TEST(ComputeReport, HeaderAndRowsAsScaleSimWritesThem) {
  coda::map::SystolicLayerCost a, b;
  a.total_cycles = 35, a.stall_cycles = 0, a.overall_util_pct = 9000.0 / 560.0;
  a.mapping_efficiency_pct = 46.875, a.compute_util_pct = 15.625;
  b.total_cycles = 100, b.stall_cycles = 7, b.overall_util_pct = 100.0, b.mapping_efficiency_pct = 100.0;
  b.compute_util_pct = 1.0 / 3 * 100;
  EXPECT_EQ(coda::map::compute_report_csv({a, b}),
            "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,\n"
            "0, 35, 0, 16.071428571428573, 46.875, 15.625,\n"
            "1, 100, 7, 100.0, 100.0, 33.33333333333333,\n");
}

TEST(ComputeReport, WritesIntoANewDirectoryAndNamesAnUnwritableOne) {
  auto dir = std::filesystem::temp_directory_path() / ("coda_sys_report_" + std::to_string(getpid())) / "run";
  coda::map::write_compute_report(dir.string(), {});
  std::ifstream in(dir / "COMPUTE_REPORT.csv");
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header, "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,");
  std::filesystem::remove_all(dir.parent_path());
  try {
    coda::map::write_compute_report("/proc/coda_no_such_dir", {});
    FAIL() << "no error";
  } catch (const coda::IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/coda_no_such_dir"), std::string::npos) << e.what();
  }
}

}  // namespace
