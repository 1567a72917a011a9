// Ops that make tensors from attributes or shapes: Constant, ConstantOfShape, Range, Shape, Cast.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "coda/exec/elementwise.h"
#include "coda/exec/kernel_list.h"

namespace coda::exec::kern {

Outputs op_Constant(const Node& n, const Inputs&, KernelContext&) {
  if (n.has("value")) return {n.t("value")};
  if (n.has("value_float")) return {Tensor::scalar<float>(n.f("value_float", 0.f))};
  if (n.has("value_int")) return {Tensor::scalar<int64_t>(n.i("value_int"))};
  if (n.has("value_floats")) {
    std::vector<float> v = n.floats("value_floats");
    return {Tensor::from_vector<float>(v, {static_cast<int64_t>(v.size())})};
  }
  if (n.has("value_ints")) {
    std::vector<int64_t> v = n.ints("value_ints");
    return {Tensor::from_vector<int64_t>(v, {static_cast<int64_t>(v.size())})};
  }
  if (n.has("sparse_value")) unsupported(n, "Constant sparse_value is not supported");
  if (n.has("value_string") || n.has("value_strings")) unsupported(n, "string constants are not supported");
  invalid(n, "Constant has no value attribute");
}

Outputs op_ConstantOfShape(const Node& n, const Inputs& in, KernelContext&) {
  std::vector<int64_t> shape = int_values(n, input(n, in, 0), "shape");
  Tensor value = n.has("value") ? n.t("value") : Tensor::scalar<float>(0.f);
  if (value.numel() != 1) invalid(n, "value must have exactly one element");
  Tensor y = make_output(n, value.dtype(), shape);
  const size_t es = dtype_size(value.dtype());
  auto* d = static_cast<std::byte*>(y.raw());
  for (int64_t i = 0; i < y.numel(); ++i) std::memcpy(d + i * es, value.raw(), es);
  return {y};
}

Outputs op_Range(const Node& n, const Inputs& in, KernelContext&) {
  const Tensor& start = input(n, in, 0);
  const Tensor& limit = input(n, in, 1);
  const Tensor& delta = input(n, in, 2);
  if (start.dtype() != limit.dtype() || start.dtype() != delta.dtype()) invalid(n, "start, limit and delta must have one dtype");
  if (start.numel() != 1 || limit.numel() != 1 || delta.numel() != 1) invalid(n, "start, limit and delta must be scalars");
  Tensor y;
  visit_numeric(n, start.dtype(), "start", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T s = start.data<T>()[0], l = limit.data<T>()[0], d = delta.data<T>()[0];
    if (d == T(0)) invalid(n, "delta is 0");
    const double count = std::ceil((static_cast<double>(l) - static_cast<double>(s)) / static_cast<double>(d));
    if (!(count < static_cast<double>(kMaxTensorBytes))) invalid(n, "range is too long");
    const int64_t len = count > 0 ? static_cast<int64_t>(count) : 0;
    y = make_output(n, start.dtype(), {len});
    T* p = y.data<T>();
    for (int64_t i = 0; i < len; ++i) {
      if constexpr (std::is_floating_point_v<T>) p[i] = s + static_cast<T>(i) * d;
      else p[i] = wrap_add<T>(s, wrap_mul<T>(static_cast<T>(i), d));
    }
  });
  return {y};
}

Outputs op_Shape(const Node& n, const Inputs& in, KernelContext&) {
  const Tensor& x = input(n, in, 0);
  const int64_t r = x.rank();
  int64_t start = n.i("start", 0), end = n.i("end", r);
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = std::clamp<int64_t>(start, 0, r);
  end = std::clamp<int64_t>(end, 0, r);
  std::vector<int64_t> dims;
  for (int64_t i = start; i < end; ++i) dims.push_back(x.dim(i));
  return {Tensor::from_vector<int64_t>(dims, {static_cast<int64_t>(dims.size())})};
}

Outputs op_Cast(const Node& n, const Inputs& in, KernelContext&) {
  const Tensor& x = input(n, in, 0);
  const int64_t code = n.i("to");
  DType to = dtype_from_onnx(static_cast<int>(code));
  if (to == DType::undefined) unsupported(n, "Cast to ONNX type %lld is not supported", (long long)code);
  if (to == x.dtype()) return {x};
  return {x.cast(to)};
}

}  // namespace coda::exec::kern
