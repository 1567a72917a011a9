#include <set>

#include "coda/graph/graph.h"

namespace coda::graph {

namespace {

struct Arity {
  int min_in, max_in;
};

// Outputs each op may have (ONNX opsets 11-17; optional outputs included). -1 = any number.
int max_outputs(OpKind k) {
  switch (k) {
    case OpKind::Split: case OpKind::Unknown: return -1;
    case OpKind::BatchNormalization: return 5;  // opsets 7-9: y, mean, var, saved mean, saved var
    case OpKind::LayerNormalization: return 3;
    case OpKind::Dropout: case OpKind::MaxPool: return 2;
    default: return 1;
  }
}

// Inputs each op accepts (ONNX opsets 11-17). -1 = any number.
Arity arity(OpKind k) {
  switch (k) {
    case OpKind::Constant: return {0, 0};
    case OpKind::Conv: case OpKind::ConvTranspose: return {2, 3};
    case OpKind::Gemm: return {2, 3};
    case OpKind::MatMul: return {2, 2};
    case OpKind::Add: case OpKind::Sub: case OpKind::Mul: case OpKind::Div: case OpKind::Pow:
    case OpKind::Equal: case OpKind::Less: case OpKind::Greater: return {2, 2};
    case OpKind::Max: case OpKind::Min: case OpKind::Concat: return {1, -1};
    case OpKind::Clip: return {1, 3};
    case OpKind::BatchNormalization: return {5, 5};
    case OpKind::LayerNormalization: return {2, 3};
    case OpKind::ReduceMean: case OpKind::ReduceSum: case OpKind::ReduceMax: return {1, 2};
    case OpKind::Reshape: case OpKind::Expand: case OpKind::Gather: return {2, 2};
    case OpKind::Split: case OpKind::Squeeze: case OpKind::Unsqueeze: return {1, 2};
    case OpKind::Slice: return {3, 5};
    case OpKind::Range: case OpKind::Where: return {3, 3};
    case OpKind::Pad: return {1, 4};
    case OpKind::Resize: return {1, 4};
    case OpKind::Dropout: return {1, 3};
    case OpKind::QuantizeLinear: case OpKind::DequantizeLinear: return {2, 3};
    case OpKind::QLinearConv: return {8, 9};
    case OpKind::QLinearMatMul: return {8, 8};
    case OpKind::MatMulInteger: return {2, 4};
    case OpKind::ConvInteger: return {2, 4};
    case OpKind::Unknown: return {0, -1};
    default: return {1, 1};
  }
}

std::string where(const Graph& g, const Node& n) {
  return g.name() + ": node " + (n.name.empty() ? std::string(op_name(n.op)) : n.name);
}

}  // namespace

void verify(const Graph& g) {
  std::vector<bool> defined(g.num_values(), false);
  for (ValueId v : g.inputs()) defined[static_cast<size_t>(v)] = true;
  for (size_t v = 0; v < g.num_values(); ++v)
    if (g.value(static_cast<ValueId>(v)).is_constant()) defined[v] = true;
  for (const Node& n : g.nodes()) {
    if (n.op == OpKind::Unknown) throw InvalidError(where(g, n), "unknown op");
    Arity a = arity(n.op);
    int nin = static_cast<int>(n.inputs.size());
    if (nin < a.min_in || (a.max_in >= 0 && nin > a.max_in))
      throw InvalidError(where(g, n), format("%s takes %d..%s inputs, got %d", op_name(n.op), a.min_in,
                                             a.max_in < 0 ? "n" : std::to_string(a.max_in).c_str(), nin));
    for (int k = 0; k < a.min_in && k < nin; ++k)
      if (n.inputs[static_cast<size_t>(k)] == kNoValue && n.op != OpKind::Clip)
        throw InvalidError(where(g, n), format("required input %d is missing", k));
    for (ValueId in : n.inputs) {
      if (in == kNoValue) continue;
      if (in < 0 || static_cast<size_t>(in) >= g.num_values()) throw InvalidError(where(g, n), "input id out of range");
      if (!defined[static_cast<size_t>(in)])
        throw InvalidError(where(g, n), "input '" + g.value(in).name + "' is used before it is defined (dangling or cyclic)");
    }
    if (n.outputs.empty()) throw InvalidError(where(g, n), "node has no outputs");
    if (int m = max_outputs(n.op); m >= 0 && static_cast<int>(n.outputs.size()) > m)
      throw InvalidError(where(g, n), format("%s has at most %d output%s, got %zu", op_name(n.op), m, m == 1 ? "" : "s",
                                             n.outputs.size()));
    for (ValueId out : n.outputs) {
      if (out == kNoValue) continue;
      if (defined[static_cast<size_t>(out)])
        throw InvalidError(where(g, n), "output '" + g.value(out).name + "' is defined twice");
      defined[static_cast<size_t>(out)] = true;
    }
  }
  if (g.outputs().empty()) throw InvalidError(g.name(), "graph has no outputs");
  for (ValueId o : g.outputs())
    if (o == kNoValue || !defined[static_cast<size_t>(o)])
      throw InvalidError(g.name(), "graph output '" + (o == kNoValue ? std::string("?") : g.value(o).name) +
                                       "' is never produced");
}

}  // namespace coda::graph
