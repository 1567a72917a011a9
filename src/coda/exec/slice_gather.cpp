// Slice (starts/ends/axes/steps as inputs, or attributes before opset 10; negative steps and
// clamping) and Gather (any axis, negative indices).
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "coda/exec/kernel_list.h"

namespace coda::exec::kern {

namespace {

// Copies a strided box: out dim i takes input index start[i] + j * step[i] for j < out[i].
void strided_copy(const Tensor& x, const Shape& out_shape, const std::vector<int64_t>& start,
                  const std::vector<int64_t>& step, Tensor& y, KernelContext& ctx) {
  const size_t es = dtype_size(x.dtype()), r = out_shape.size();
  if (y.numel() == 0) return;
  Shape st = shape_strides(x.shape());
  int64_t base = 0;
  for (size_t i = 0; i < r; ++i) base += start[i] * st[i];
  const int64_t inner = r ? out_shape[r - 1] : 1, rows = y.numel() / inner;
  const int64_t inner_step = r ? step[r - 1] * st[r - 1] : 1;
  const auto* src = static_cast<const std::byte*>(x.raw());
  auto* dst = static_cast<std::byte*>(y.raw());
  parallel_for(ctx, rows, grain_for(rows, inner), [&](int64_t lo, int64_t hi) {
    for (int64_t row = lo; row < hi; ++row) {
      int64_t off = base, idx = row;
      for (size_t i = r - 1; r > 0 && i-- > 0;) {
        off += (idx % out_shape[i]) * step[i] * st[i];
        idx /= out_shape[i];
      }
      std::byte* o = dst + row * inner * es;
      if (inner_step == 1) {
        std::memcpy(o, src + off * es, inner * es);
      } else {
        for (int64_t j = 0; j < inner; ++j) std::memcpy(o + j * es, src + (off + j * inner_step) * es, es);
      }
    }
  });
}

}  // namespace

Outputs op_Slice(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  std::vector<int64_t> starts, ends, axes, steps;
  if (optional_input(in, 1) || optional_input(in, 2)) {
    starts = int_values(n, input(n, in, 1), "starts");
    ends = int_values(n, input(n, in, 2), "ends");
    if (const Tensor* a = optional_input(in, 3)) axes = int_values(n, *a, "axes");
    if (const Tensor* s = optional_input(in, 4)) steps = int_values(n, *s, "steps");
  } else {
    starts = n.ints("starts");
    ends = n.ints("ends");
    axes = n.ints("axes", {});
  }
  if (starts.size() != ends.size()) invalid(n, "starts has %zu values, ends %zu", starts.size(), ends.size());
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || steps.size() != starts.size())
    invalid(n, "starts, ends, axes and steps must have the same length");
  axes = normalize_axes(n, axes, x.rank());
  const size_t r = static_cast<size_t>(x.rank());
  std::vector<int64_t> start(r, 0), step(r, 1);
  Shape out = x.shape();
  for (size_t k = 0; k < axes.size(); ++k) {
    const int64_t a = axes[k], d = x.dim(a), s = steps[k];
    if (s == 0) invalid(n, "step for axis %lld is 0", (long long)a);
    int64_t b = starts[k], e = ends[k];
    if (b < 0) b += d;  // cannot overflow: b < 0 <= d
    if (e < 0) e += d;
    if (d == 0) {
      out[a] = 0;
    } else if (s > 0) {
      b = std::clamp<int64_t>(b, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
      out[a] = e > b ? (e - b - 1) / s + 1 : 0;
    } else {
      b = std::clamp<int64_t>(b, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
      const int64_t ns = s == INT64_MIN ? INT64_MAX : -s;
      out[a] = b > e ? (b - e - 1) / ns + 1 : 0;
    }
    start[a] = out[a] ? b : 0;
    step[a] = s;
  }
  Tensor y = make_uninit_output(n, x.dtype(), out);
  strided_copy(x, out, start, step, y, ctx);
  return {y};
}

Outputs op_Gather(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  const Tensor& idx = input(n, in, 1);
  require_dtype(n, idx, {DType::i32, DType::i64}, "indices");
  if (x.rank() == 0) invalid(n, "cannot gather from a scalar");
  const int64_t axis = normalize_axis(n, n.i("axis", 0), x.rank()), dim = x.dim(axis);
  Shape out(x.shape().begin(), x.shape().begin() + axis);
  for (int64_t d : idx.shape()) out.push_back(d);
  for (int64_t i = axis + 1; i < x.rank(); ++i) out.push_back(x.dim(i));
  Tensor y = make_uninit_output(n, x.dtype(), out);
  std::vector<int64_t> ids = idx.to_i64_vector();
  for (int64_t& v : ids) {
    if (v < -dim || v >= dim) invalid(n, "index %lld is out of range for axis %lld of size %lld", (long long)v, (long long)axis, (long long)dim);
    if (v < 0) v += dim;
  }
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < x.rank(); ++i) {
    if (i < axis) outer *= x.dim(i);
    if (i > axis) inner *= x.dim(i);
  }
  const size_t es = dtype_size(x.dtype());
  const int64_t k = static_cast<int64_t>(ids.size()), rows = outer * k;
  const auto* src = static_cast<const std::byte*>(x.raw());
  auto* dst = static_cast<std::byte*>(y.raw());
  if (y.numel() == 0) return {y};
  parallel_for(ctx, rows, grain_for(rows, inner), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const int64_t o = r / k, j = r % k;
      std::memcpy(dst + r * inner * es, src + (o * dim + ids[j]) * inner * es, inner * es);
    }
  });
  return {y};
}

}  // namespace coda::exec::kern
