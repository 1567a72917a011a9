// The reference kernels: one function per OpKind that computes a node's outputs from its input
// tensors, with ONNX semantics (opsets 11-17). fp32 kernels are the reference; integer ops
// (QLinear*, *Integer, QuantizeLinear) are exact.
//
// Kernels derive output shapes from the actual inputs, so one graph runs at any batch size. An
// attribute value coda does not implement raises UnsupportedError naming the node and the feature
// (e.g. "Resize mode 'linear' is not supported"); bad input (mismatched shapes, out-of-range
// indices, negative or oversized outputs) raises InvalidError naming the node. Kernels never write
// to their inputs; shape-only ops (Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout, Cast to
// the same type, a reduction with noop_with_empty_axes) return a tensor sharing the input's buffer.
// Results do not depend on the pool's thread count.
//
// Node attribute conventions beyond ONNX's: "_opset" (int, default 17) is the model's opset, which
// selects Softmax/LogSoftmax's pre-13 semantics and Resize's opset-10 form; "_activation" ("Relu",
// "LeakyRelu" + "_activation_alpha", "Clip" + "_activation_min"/"_activation_max") fuses an
// activation into Conv, ConvTranspose, Gemm and MatMul.
//
//   KernelContext ctx{&pool};
//   std::vector<Tensor> outs = evaluate_node(node, {x, w, b}, ctx);
#pragma once
#include <vector>

#include "coda/core/tensor.h"
#include "coda/core/thread_pool.h"
#include "coda/graph/graph.h"

namespace coda::exec {

struct KernelContext {
  ThreadPool* pool = nullptr;  // may be null: run on the calling thread
};

// inputs[k] is an undefined Tensor where the node omits optional input k. Returns one tensor per
// node output (an undefined Tensor for an output the node does not produce).
std::vector<Tensor> evaluate_node(const graph::Node& node, const std::vector<Tensor>& inputs, KernelContext& ctx);

// The same without a pool; this is the evaluator handed to graph::fold_constants.
std::vector<Tensor> evaluate_node_serial(const graph::Node& node, const std::vector<Tensor>& inputs);

// True if coda has a kernel for this op.
bool has_kernel(graph::OpKind op);

}  // namespace coda::exec
