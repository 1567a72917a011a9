// fuse_activations: folds an activation (Relu, LeakyRelu, Clip with constant bounds) into the
// Conv / ConvTranspose / Gemm / MatMul that feeds it, as the "_activation" attributes the kernels
// read (activation.h). Results are bit-identical to the unfused graph; the executor applies it to its
// per-shape plans only, so inspect and workload extraction still see every layer. The graph must be
// shape-inferred (only f32 producers fuse).
//
//   exec::fuse_activations(g);   // Conv -> Relu  becomes  Conv{_activation=Relu}
#pragma once
#include "coda/graph/graph.h"

namespace coda::exec {

// Returns the number of activations fused.
int fuse_activations(graph::Graph& g);

}  // namespace coda::exec
