// Fuzz target scalesim: SCALE-Sim v2 inputs as `coda systolic -c CFG -t TOPOLOGY` reads them. The input
// is the .cfg, a line "%%%%", then the topology .csv; with no separator the bytes are tried as both.
// A config that parses is used for the array (else SCALE-Sim's defaults), and every layer of a
// topology that parses is costed (map::evaluate_systolic; up to 4096 layers, skipping layers of more
// than 2e4 folds or 2e5 demand rows, see below), written as COMPUTE_REPORT.csv and turned
// into a Timeloop problem, as `coda systolic` and `coda map` do.
#include "coda/hw/scalesim_config.h"
#include "coda/map/systolic.h"
#include "coda/map/systolic_report.h"
#include "coda/workload/scalesim_topology.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coda;
  std::vector<std::string> parts = fuzz::split_parts(std::string_view(reinterpret_cast<const char*>(data), size), 2);
  const std::string& cfg_text = parts[0];
  const std::string& topo_text = parts.size() > 1 ? parts[1] : parts[0];
  hw::ScaleSimConfig cfg;
  fuzz::guarded([&] { cfg = hw::parse_scalesim_config(cfg_text, "fuzz.cfg"); });
  return fuzz::guarded([&] {
    workload::ScaleSimTopology topo = workload::parse_scalesim_topology(topo_text, "fuzz.csv");
    map::SystolicArray array = map::systolic_array(cfg);
    // The cost model walks the folds and the demand rows one by one, as SCALE-Sim does, so a huge layer
    // on a tiny array takes as long as SCALE-Sim would; such layers are skipped (unless their counts
    // overflow, which must raise an error), and so are layers after the first 4096 (a depthwise
    // layer of 10^5 channels is 10^5 layers: 1 s in a release build, too slow for fuzzing).
    std::vector<map::SystolicLayerCost> costs;
    for (const workload::ScaleSimLayer& l : topo.layers) {
      if (costs.size() == 4096) break;
      map::SystolicFolds f = map::fold_layer(l, array);
      int64_t folds = 0, rows = 0;
      bool overflow = __builtin_mul_overflow(f.row_folds, f.col_folds, &folds) ||
                      __builtin_mul_overflow(folds, f.cycles_per_fold, &rows);
      if (overflow || (folds <= 20'000 && rows <= 200'000)) costs.push_back(map::evaluate_systolic(l, array));
    }
    map::compute_report_csv(costs);
    for (size_t i = 0; i < topo.layers.size() && i < 4; ++i) workload::to_problem(topo.layers[i]);
  });
}
