// workload::extract: the per-layer work of a shape-inferred graph, in graph order.
//
// Compute ops (Conv, ConvTranspose, Gemm, MatMul and their quantized forms QLinearConv, ConvInteger,
// QLinearMatMul, MatMulInteger) become a Problem (problem_shapes.h); MACs are the problem's. Every
// other node is vector work: elements written and element-wise operations (vector_work.cpp lists
// the ops per element). `params` counts the elements of the node's constant weight and bias inputs
// (BatchNorm/LayerNorm scale and bias; not running statistics, shapes, scalars or masks), each
// constant counted once in the graph (tied weights), so resnet18 gives torchvision's 11.69 M.
//
//   graph::infer_shapes(g);
//   std::vector<LayerWork> layers = workload::extract(g);
//   WorkTotals t = totals(layers);                  // t.macs, t.params
//   auto esca = workload::extract(g, {.subpixel = true});  // ConvTranspose as Conv + DepthToSpace
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coda/graph/graph.h"
#include "coda/workload/problem.h"

namespace coda::workload {

struct LayerWork {
  std::string name;                // the node's name (decomposed parts: "<node>.subpixel_conv", ...)
  graph::OpKind op = graph::OpKind::Unknown;
  std::optional<Problem> problem;  // set for compute ops
  int64_t vector_elems = 0;        // other ops: elements written (0 for pure metadata: Reshape, Flatten, ...)
  int64_t vector_ops = 0;          // other ops: element-wise operations
  int64_t macs = 0;                // compute ops: problem->macs()
  int64_t params = 0;              // elements of constant weight/bias inputs first used by this node
  Shape output_shape;              // shape of output 0
};

struct ExtractOptions {
  // Extract each plannable ConvTranspose (subpixel.h) as its sub-pixel decomposition: a Conv
  // problem, a DepthToSpace and (if any) a crop, instead of the direct scatter problem.
  bool subpixel = false;
};

// Throws InvalidError naming the node when a shape it needs is unknown or not static (run
// graph::infer_shapes, binding symbolic dims with graph::bind_input_shape, first).
std::vector<LayerWork> extract(const graph::Graph& g, const ExtractOptions& opts = {});

struct WorkTotals {
  int64_t macs = 0, params = 0, vector_elems = 0, vector_ops = 0;
};
WorkTotals totals(const std::vector<LayerWork>& layers);

// True for the ops extract() turns into a Problem.
bool is_compute_op(graph::OpKind op);

}  // namespace coda::workload
