// Shape and type inference, and constant folding, over a Graph.
//
// infer_shapes(g) fills Value::dtype / shape for every node output it can derive from the inputs'
// shapes and from constant inputs (a Reshape's target, a Slice's starts). fold_constants(g, eval)
// does the same sweep and, for every node whose inputs are all constant (or a Shape of a static
// value), runs `eval` and stores the result as a constant, so the Shape/Gather/Concat/Reshape
// plumbing torch exports disappears. `eval` comes from the executor (exec::evaluate_node), which
// keeps op semantics in one place.
//
//   graph::fold_constants(g, exec::evaluate_node);   // then dead plumbing is removed
#pragma once
#include <functional>

#include "coda/graph/graph.h"

namespace coda::graph {

// Computes the outputs of one node from its input tensors (an undefined Tensor for an omitted input).
using NodeEvaluator = std::function<std::vector<Tensor>(const Node&, const std::vector<Tensor>&)>;

// Infers the outputs of node `idx` from its inputs' current dtype/shape/constants. Throws
// InvalidError when the inputs are inconsistent (mismatched dims, a bad axis).
void infer_node(Graph& g, int idx);

// Infers every node in order (the graph must be sorted).
void infer_shapes(Graph& g);

// Infers and folds in one topological sweep, then removes nodes no output needs.
// Nodes whose outputs exceed `max_fold_elems` elements are not folded (weights stay weights).
void fold_constants(Graph& g, const NodeEvaluator& eval, int64_t max_fold_elems = 1 << 24);

// Sets input `name`'s shape (binding symbolic dims such as the batch) and clears every inferred
// non-constant shape, so that infer_shapes / fold_constants can run again for the new sizes.
void bind_input_shape(Graph& g, ValueId input, const Shape& shape);

}  // namespace coda::graph
