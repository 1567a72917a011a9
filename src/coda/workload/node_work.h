// Internal to workload: the work of one node, as extract() assembles it.
//
//   NodeView v{g, node};
//   std::vector<LayerWork> w = is_compute_op(node.op) ? compute_work(v, opts) : std::vector{vector_work(v)};
#pragma once
#include <string>
#include <vector>

#include "coda/workload/extract.h"

namespace coda::workload {

// A node with checked access to its static shapes and element widths.
struct NodeView {
  const graph::Graph& g;
  const graph::Node& n;

  std::string where() const;                // "<graph>: node <name>"
  const graph::Value& input(size_t k) const;  // throws InvalidError if input k is missing
  const Shape& shape(size_t k) const;       // static shape of input k, or InvalidError
  const Shape& out_shape() const;           // static shape of output 0, or InvalidError
  int bits(size_t k) const;                 // bits per element of input k (32 if the dtype is unknown)
  int out_bits() const;
};

// a * b for a work count (elements, operations, MACs); InvalidError naming the node on overflow.
int64_t mul_work(const NodeView& v, int64_t a, int64_t b);

// Compute ops: one LayerWork with a problem, or (subpixel) the decomposition's parts.
std::vector<LayerWork> compute_work(const NodeView& v, const ExtractOptions& opts);

// Every other op: elements written and element-wise operations.
LayerWork vector_work(const NodeView& v);

}  // namespace coda::workload
