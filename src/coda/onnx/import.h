// ONNX import: reads a model file (opsets up to 17) into a graph::Graph, and single tensors
// (serialised onnx.TensorProto, as in the ONNX conformance data) into coda::Tensor.
//
// The graph is returned as written in the file: sorted and verified, not yet shape-inferred or
// folded (exec::prepare does that). Every node carries its model's opset in the int attribute
// "_opset". Bad files raise ParseError/InvalidError; valid files with an op, dtype or feature coda
// does not support raise UnsupportedError naming it.
//
//   graph::Graph g = onnx::import_file("cnn.onnx");
//   Tensor t = onnx::read_tensor_file("test_data_set_0/input_0.pb");
#pragma once
#include <string>

#include "coda/graph/graph.h"

namespace coda::onnx {

graph::Graph import_file(const std::string& path);
// `where` names the source in error messages.
graph::Graph import_bytes(const std::string& bytes, const std::string& where);

Tensor read_tensor_file(const std::string& path);

// The oldest and newest default-domain opsets coda reads.
constexpr int kMinOpset = 7;
constexpr int kMaxOpset = 17;

}  // namespace coda::onnx
