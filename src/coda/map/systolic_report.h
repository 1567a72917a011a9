// SCALE-Sim's report files from evaluate_systolic's results, byte for byte in its format: COMPUTE_REPORT.csv
// (`LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,`) with
// numbers printed as Python's str() prints them.
//
//   std::vector<SystolicLayerCost> costs = evaluate_systolic(topology, array);
//   write_compute_report("out", costs);          // out/COMPUTE_REPORT.csv
//   python_float_repr(74.17068);                 // "74.17068"; 100.0 -> "100.0"; 1e-05 -> "1e-05"
#pragma once
#include <string>
#include <vector>

#include "coda/map/systolic.h"

namespace coda::map {

// Python's repr(float): the shortest digits that read back to x, fixed notation for exponents in
// [-4, 16), otherwise d.ddde+XX; "inf", "nan".
std::string python_float_repr(double x);

std::string compute_report_csv(const std::vector<SystolicLayerCost>& layers);

// Creates `dir` if needed and writes dir/COMPUTE_REPORT.csv; throws IoError naming the file.
void write_compute_report(const std::string& dir, const std::vector<SystolicLayerCost>& layers);

}  // namespace coda::map
