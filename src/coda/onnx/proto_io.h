// Conversions between onnx.TensorProto and coda::Tensor, shared by import and export.
#pragma once
#include <onnx/onnx_pb.h>

#include <string>

#include "coda/core/tensor.h"

namespace coda::onnx {

Tensor from_proto(const ::onnx::TensorProto& p, const std::string& where);
void to_proto(const Tensor& t, const std::string& name, ::onnx::TensorProto* p);

}  // namespace coda::onnx
