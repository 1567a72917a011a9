// ONNX export: writes a graph::Graph as an ONNX model (constants become initializers) that ONNX
// Runtime and onnx.checker accept.
//
//   onnx::export_file(zoo::build("resnet18"), "r18.onnx");
#pragma once
#include <string>

#include "coda/graph/graph.h"

namespace coda::onnx {

void export_file(const graph::Graph& g, const std::string& path);
std::string export_bytes(const graph::Graph& g);

}  // namespace coda::onnx
