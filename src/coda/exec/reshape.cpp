// Ops that only change the shape (the output shares the input's buffer): Reshape (0 / -1 and
// allowzero), Flatten, Squeeze, Unsqueeze, Identity and inference-mode Dropout.
#include <algorithm>
#include <cstdint>

#include "coda/exec/kernel_list.h"

namespace coda::exec::kern {

namespace {

// Axes from input 1 (opset >= 13) or the "axes" attribute (older opsets).
std::vector<int64_t> axes_input_or_attr(const Node& n, const Inputs& in, bool& given) {
  if (const Tensor* t = optional_input(in, 1)) {
    given = true;
    return int_values(n, *t, "axes");
  }
  given = n.has("axes");
  return n.ints("axes", {});
}

}  // namespace

Outputs op_Reshape(const Node& n, const Inputs& in, KernelContext&) {
  const Tensor& x = input(n, in, 0);
  std::vector<int64_t> target;
  if (const Tensor* s = optional_input(in, 1)) target = int_values(n, *s, "shape");
  else if (n.has("shape")) target = n.ints("shape");
  else invalid(n, "missing the shape input");
  const bool allowzero = n.i("allowzero", 0) != 0;
  Shape out(target.size());
  int64_t infer = -1, known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == 0 && !allowzero) {
      if (static_cast<int64_t>(i) >= x.rank()) invalid(n, "shape %s copies dim %zu of a rank-%lld input", shape_str(target).c_str(), i, (long long)x.rank());
      d = x.dim(static_cast<int64_t>(i));
    } else if (d == -1) {
      if (infer >= 0) invalid(n, "shape %s has more than one -1", shape_str(target).c_str());
      infer = static_cast<int64_t>(i);
      out[i] = 1;
      continue;
    } else if (d < 0) {
      invalid(n, "shape %s has a negative dimension", shape_str(target).c_str());
    }
    out[i] = d;
    if (d == 0) known = 0;
    else if (known != 0) known = known > INT64_MAX / d ? INT64_MAX : known * d;
  }
  if (infer >= 0) {
    if (known == 0) {
      if (x.numel() != 0) invalid(n, "cannot infer -1 in %s with a zero dimension", shape_str(target).c_str());
      out[static_cast<size_t>(infer)] = 0;
    } else {
      if (x.numel() % known != 0)
        invalid(n, "cannot reshape %s to %s", shape_str(x.shape()).c_str(), shape_str(target).c_str());
      out[static_cast<size_t>(infer)] = x.numel() / known;
    }
  }
  checked_numel(n, out, x.dtype());
  if (shape_numel(out) != x.numel())
    invalid(n, "cannot reshape %s (%lld elements) to %s", shape_str(x.shape()).c_str(), (long long)x.numel(),
            shape_str(out).c_str());
  return {x.reshaped(out)};
}

Outputs op_Flatten(const Node& n, const Inputs& in, KernelContext&) {
  const Tensor& x = input(n, in, 0);
  int64_t axis = n.i("axis", 1);
  if (axis < -x.rank() || axis > x.rank()) invalid(n, "axis %lld is out of range for rank %lld", (long long)axis, (long long)x.rank());
  if (axis < 0) axis += x.rank();
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < x.rank(); ++i) (i < axis ? outer : inner) *= x.dim(i);
  return {x.reshaped({outer, inner})};
}

Outputs op_Squeeze(const Node& n, const Inputs& in, KernelContext&) {
  const Tensor& x = input(n, in, 0);
  bool given = false;
  std::vector<int64_t> axes = axes_input_or_attr(n, in, given);
  std::vector<bool> drop(static_cast<size_t>(x.rank()), false);
  if (axes.empty()) {
    for (int64_t i = 0; i < x.rank(); ++i) drop[i] = x.dim(i) == 1;
  } else {
    for (int64_t a : normalize_axes(n, axes, x.rank())) {
      if (x.dim(a) != 1) invalid(n, "cannot squeeze axis %lld of size %lld", (long long)a, (long long)x.dim(a));
      drop[a] = true;
    }
  }
  Shape out;
  for (int64_t i = 0; i < x.rank(); ++i)
    if (!drop[i]) out.push_back(x.dim(i));
  return {x.reshaped(out)};
}

Outputs op_Unsqueeze(const Node& n, const Inputs& in, KernelContext&) {
  const Tensor& x = input(n, in, 0);
  bool given = false;
  std::vector<int64_t> axes = axes_input_or_attr(n, in, given);
  if (!given) invalid(n, "missing axes");
  const int64_t rank = x.rank() + static_cast<int64_t>(axes.size());
  std::vector<bool> inserted(static_cast<size_t>(rank), false);
  for (int64_t a : normalize_axes(n, axes, rank)) inserted[a] = true;
  Shape out;
  int64_t k = 0;
  for (int64_t i = 0; i < rank; ++i) out.push_back(inserted[i] ? 1 : x.dim(k++));
  return {x.reshaped(out)};
}

Outputs op_Identity(const Node& n, const Inputs& in, KernelContext&) { return {input(n, in, 0)}; }

// Inference: Y = X and a mask of all true. Training with a non-zero ratio is random: unsupported.
Outputs op_Dropout(const Node& n, const Inputs& in, KernelContext&) {
  const Tensor& x = input(n, in, 0);
  bool training = false;
  if (const Tensor* t = optional_input(in, 2)) training = t->numel() > 0 && t->get_i64(0) != 0;
  if (training) {
    double ratio = 0.5;
    if (const Tensor* r = optional_input(in, 1)) ratio = r->numel() > 0 ? r->get_f64(0) : 0.5;
    if (ratio != 0.0) unsupported(n, "Dropout in training mode (random masks) is not supported");
  }
  Outputs out{x};
  if (n.outputs.size() > 1 && n.outputs[1] != graph::kNoValue) {
    Tensor mask = make_output(n, DType::boolean, x.shape());
    std::fill_n(mask.data<bool>(), mask.numel(), true);
    out.push_back(mask);
  }
  return out;
}

}  // namespace coda::exec::kern
