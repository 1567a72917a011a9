// Fuzz target onnx_model: ONNX protobuf bytes as `coda inspect MODEL --problems` takes them:
// onnx::import_bytes, exec::prepare (sort, verify, infer shapes, fold constants), exec::specialize to
// batch 1, workload::extract and each compute layer's Timeloop problem. A model that gets through
// is exported again (`coda export`) and the export must import and prepare as well.
#include "coda/exec/executor.h"
#include "coda/onnx/export.h"
#include "coda/onnx/import.h"
#include "coda/workload/extract.h"
#include "coda/workload/timeloop_yaml.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coda;
  graph::Graph g;
  bool ok = false;
  fuzz::guarded([&] {
    g = onnx::import_bytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz.onnx");
    exec::prepare(g);
    exec::specialize(g, 1);
    for (const workload::LayerWork& l : workload::extract(g))
      if (l.problem) workload::to_timeloop_yaml(*l.problem);
    ok = true;
  });
  if (!ok) return 0;
  // What coda accepted it must also write, and read back.
  try {
    graph::Graph again = onnx::import_bytes(onnx::export_bytes(g), "fuzz.onnx (exported)");
    exec::prepare(again);
  } catch (const coda::Error& e) {
    std::fprintf(stderr, "fuzz: the export of an accepted model does not import again: %s\n", e.what());
    std::abort();
  }
  return 0;
}
