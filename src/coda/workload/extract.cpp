// extract(): walks the graph in order, gathers each node's work and its parameters.
#include "coda/workload/extract.h"

#include <set>

#include "coda/workload/node_work.h"

namespace coda::workload {

namespace {

using graph::OpKind;

enum class Which { Any, FloatTensor };  // which constant inputs count: any, or float with more than one element

// The inputs of `op` that are parameters when they are constants.
std::pair<std::vector<size_t>, Which> parameter_inputs(OpKind op, size_t num_inputs) {
  switch (op) {
    case OpKind::Conv: case OpKind::ConvTranspose: case OpKind::Gemm: return {{1, 2}, Which::Any};
    case OpKind::ConvInteger: return {{1}, Which::Any};
    case OpKind::QLinearConv: return {{3, 8}, Which::Any};
    case OpKind::MatMul: case OpKind::MatMulInteger: return {{0, 1}, Which::Any};
    case OpKind::QLinearMatMul: return {{0, 3}, Which::Any};
    case OpKind::BatchNormalization: case OpKind::LayerNormalization: return {{1, 2}, Which::Any};  // not running stats
    case OpKind::DequantizeLinear: return {{0}, Which::Any};  // quantized weights
    case OpKind::Gather: return {{0}, Which::FloatTensor};    // embedding tables
    case OpKind::Add: case OpKind::Sub: case OpKind::Mul: case OpKind::Div: case OpKind::Max: case OpKind::Min:
    case OpKind::Concat: case OpKind::Expand: {                // biases, scales, position embeddings, cls tokens
      std::vector<size_t> all(num_inputs);
      for (size_t k = 0; k < num_inputs; ++k) all[k] = k;
      return {all, Which::FloatTensor};
    }
    default: return {{}, Which::Any};
  }
}

// Elements of n's parameter inputs not yet in `counted` (a tied weight counts once).
int64_t count_params(const graph::Graph& g, const graph::Node& n, std::set<graph::ValueId>& counted) {
  auto [inputs, which] = parameter_inputs(n.op, n.inputs.size());
  int64_t total = 0;
  for (size_t k : inputs) {
    if (!n.has_input(k)) continue;
    const graph::Value& v = g.value(n.inputs[k]);
    if (!v.is_constant() || counted.count(n.inputs[k])) continue;
    if (which == Which::FloatTensor && (!dtype_is_float(v.constant->dtype()) || v.constant->numel() <= 1)) continue;
    counted.insert(n.inputs[k]);
    total += v.constant->numel();
  }
  return total;
}

}  // namespace

std::vector<LayerWork> extract(const graph::Graph& g, const ExtractOptions& opts) {
  std::vector<LayerWork> out;
  std::set<graph::ValueId> counted;
  for (const graph::Node& n : g.nodes()) {
    NodeView v{g, n};
    std::vector<LayerWork> parts = is_compute_op(n.op) ? compute_work(v, opts) : std::vector<LayerWork>{vector_work(v)};
    parts.front().params = count_params(g, n, counted);
    for (LayerWork& p : parts) out.push_back(std::move(p));
  }
  return out;
}

WorkTotals totals(const std::vector<LayerWork>& layers) {
  WorkTotals t;
  for (const LayerWork& l : layers) {
    t.macs += l.macs;
    t.params += l.params;
    t.vector_elems += l.vector_elems;
    t.vector_ops += l.vector_ops;
  }
  return t;
}

}  // namespace coda::workload
