// Test helper: a shape-inferred graph holding one node, for checking extract() op by op.
//
//   graph::Graph g = one_node(OpKind::Conv, {{{1, 3, 9, 9}, DType::f32, false}, {{4, 3, 3, 3}}}, {{"pads", ...}});
#pragma once
#include "coda/graph/infer.h"

namespace coda::workload::testing {

struct Operand {
  Shape shape;
  DType dtype = DType::f32;
  bool constant = true;  // a zero-filled initializer; false: a runtime input
};

inline graph::Graph one_node(graph::OpKind op, const std::vector<Operand>& operands,
                             std::map<std::string, graph::Attribute> attrs = {}) {
  graph::Graph g("tiny");
  std::vector<graph::ValueId> ins;
  for (size_t i = 0; i < operands.size(); ++i) {
    std::string name = "in" + std::to_string(i);
    const Operand& o = operands[i];
    ins.push_back(o.constant ? g.add_constant(name, Tensor(o.dtype, o.shape)) : g.add_input(name, o.dtype, o.shape));
  }
  graph::ValueId y = g.add_value("y");
  g.add_node(op, "node", ins, {y}, std::move(attrs));
  g.mark_output(y);
  graph::infer_shapes(g);
  return g;
}

}  // namespace coda::workload::testing
