// The kernel functions behind evaluate_node: one `op_<Name>` per entry of CODA_FOR_EACH_OP.
// Each computes a node's outputs from its inputs (undefined Tensors for omitted optional inputs)
// and may return fewer tensors than the node has outputs when the trailing ones are not needed.
// Internal to src/coda/exec; kernels.cpp builds the dispatch table from this list.
//
//   Outputs y = op_Conv(node, {x, w, b}, ctx);
#pragma once
#include "coda/exec/kernel_util.h"

namespace coda::exec::kern {

#define CODA_X(Name) Outputs op_##Name(const Node& node, const Inputs& in, KernelContext& ctx);
CODA_FOR_EACH_OP(CODA_X)
#undef CODA_X

}  // namespace coda::exec::kern
