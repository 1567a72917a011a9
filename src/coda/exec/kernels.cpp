// evaluate_node: the dispatch table from OpKind to op_<Name> (kernel_list.h) and the checks every
// kernel shares (output count, omitted outputs, allocation failure).
#include "coda/exec/kernels.h"

#include <new>
#include <stdexcept>

#include "coda/exec/kernel_list.h"

namespace coda::exec {

namespace {

using KernelFn = kern::Outputs (*)(const graph::Node&, const kern::Inputs&, KernelContext&);

KernelFn kernel_for(graph::OpKind op) {
  switch (op) {
#define CODA_X(Name) \
  case graph::OpKind::Name: return &kern::op_##Name;
    CODA_FOR_EACH_OP(CODA_X)
#undef CODA_X
    default: return nullptr;
  }
}

}  // namespace

bool has_kernel(graph::OpKind op) { return kernel_for(op) != nullptr; }

std::vector<Tensor> evaluate_node(const graph::Node& node, const std::vector<Tensor>& inputs, KernelContext& ctx) {
  KernelFn fn = kernel_for(node.op);
  if (!fn) throw UnsupportedError(kern::where(node), "no kernel for this op");
  std::vector<Tensor> out;
  try {
    out = fn(node, inputs, ctx);
  } catch (const std::bad_alloc&) {
    kern::invalid(node, "out of memory");
  } catch (const std::length_error&) {
    kern::invalid(node, "out of memory");
  }
  if (node.outputs.empty()) return out;
  out.resize(node.outputs.size());
  for (size_t k = 0; k < node.outputs.size(); ++k) {
    if (node.outputs[k] == graph::kNoValue) out[k] = Tensor();
    else if (!out[k].defined()) kern::invalid(node, "%s has no output %zu", graph::op_name(node.op), k);
  }
  return out;
}

std::vector<Tensor> evaluate_node_serial(const graph::Node& node, const std::vector<Tensor>& inputs) {
  KernelContext ctx;
  return evaluate_node(node, inputs, ctx);
}

}  // namespace coda::exec
