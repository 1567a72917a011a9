// Pad (constant / reflect / edge; pads, constant_value and axes as inputs, or attributes before
// opset 11; negative pads crop) and Expand (bidirectional broadcast to a shape).
#include <algorithm>
#include <cstring>
#include <vector>

#include "coda/exec/broadcast.h"
#include "coda/exec/elementwise.h"
#include "coda/exec/kernel_list.h"

namespace coda::exec::kern {

namespace {

enum class PadMode { constant, reflect, edge };

// Input index for output index o along a dim of size d with `before` elements of padding, or -1
// for the constant value.
int64_t source_index(int64_t o, int64_t before, int64_t d, PadMode mode) {
  int64_t i = o - before;
  if (i >= 0 && i < d) return i;
  if (mode == PadMode::constant || d == 0) return -1;
  if (mode == PadMode::edge) return i < 0 ? 0 : d - 1;
  if (d == 1) return 0;
  const int64_t period = 2 * (d - 1);  // reflect without repeating the edge, as numpy does
  i %= period;
  if (i < 0) i += period;
  return i < d ? i : period - i;
}

}  // namespace

Outputs op_Pad(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  const int64_t r = x.rank();
  std::vector<int64_t> pads;
  if (const Tensor* p = optional_input(in, 1)) pads = int_values(n, *p, "pads");
  else pads = n.ints("pads", {});
  std::vector<int64_t> axes;
  if (const Tensor* a = optional_input(in, 3)) axes = normalize_axes(n, int_values(n, *a, "axes"), r);
  else
    for (int64_t i = 0; i < r; ++i) axes.push_back(i);
  const size_t na = axes.size();
  if (pads.size() != 2 * na) invalid(n, "pads has %zu values, expected %zu", pads.size(), 2 * na);
  std::vector<int64_t> before(static_cast<size_t>(r), 0), after(static_cast<size_t>(r), 0);
  for (size_t k = 0; k < na; ++k) {
    before[axes[k]] = pads[k];
    after[axes[k]] = pads[k + na];
  }
  std::string m = n.s("mode", "constant");
  PadMode mode = PadMode::constant;
  if (m == "reflect") mode = PadMode::reflect;
  else if (m == "edge") mode = PadMode::edge;
  else if (m != "constant") unsupported(n, "Pad mode '%s' is not supported", m.c_str());
  Shape out(static_cast<size_t>(r));
  for (int64_t i = 0; i < r; ++i) {
    if (before[i] < -x.dim(i) || after[i] < -x.dim(i) || before[i] > kMaxTensorBytes || after[i] > kMaxTensorBytes)
      invalid(n, "pads %s are out of range for input %s", shape_str(pads).c_str(), shape_str(x.shape()).c_str());
    out[i] = x.dim(i) + before[i] + after[i];
    if (out[i] < 0) invalid(n, "pads %s crop input %s below zero", shape_str(pads).c_str(), shape_str(x.shape()).c_str());
    if (mode != PadMode::constant && x.dim(i) == 0 && out[i] > 0) invalid(n, "cannot %s-pad an empty dimension", m.c_str());
  }
  Tensor y = make_uninit_output(n, x.dtype(), out);
  if (y.numel() == 0) return {y};
  const size_t es = dtype_size(x.dtype());
  // The fill value as bytes of x's dtype.
  std::vector<std::byte> fill(es, std::byte{0});
  if (const Tensor* v = optional_input(in, 2)) {
    if (v->numel() != 1) invalid(n, "constant_value must have one element");
    if (v->dtype() != x.dtype()) invalid(n, "constant_value is %s, input is %s", dtype_name(v->dtype()), dtype_name(x.dtype()));
    std::memcpy(fill.data(), v->raw(), es);
  } else if (n.has("value")) {
    Tensor v = Tensor::scalar<double>(n.f("value", 0.f)).cast(x.dtype());
    std::memcpy(fill.data(), v.raw(), es);
  }
  const Shape in_st = shape_strides(x.shape());
  const auto* src = static_cast<const std::byte*>(x.raw());
  auto* dst = static_cast<std::byte*>(y.raw());
  if (r == 0) {
    std::memcpy(dst, src, es);
    return {y};
  }
  const int64_t inner = out[r - 1], rows = y.numel() / inner;
  // Per output column of the last dim: its source column (or -1).
  std::vector<int64_t> cols(static_cast<size_t>(inner));
  for (int64_t j = 0; j < inner; ++j) cols[j] = source_index(j, before[r - 1], x.dim(r - 1), mode);
  // Output columns [mid_lo, mid_hi) copy one contiguous run of the input row.
  const int64_t mid_lo = std::clamp<int64_t>(before[r - 1], 0, inner);
  const int64_t mid_hi = std::clamp<int64_t>(before[r - 1] + x.dim(r - 1), mid_lo, inner);
  parallel_for(ctx, rows, grain_for(rows, inner), [&](int64_t lo, int64_t hi) {
    for (int64_t row = lo; row < hi; ++row) {
      int64_t off = 0, idx = row;
      bool constant_row = false;
      for (int64_t i = r - 2; i >= 0; --i) {
        int64_t s = source_index(idx % out[i], before[i], x.dim(i), mode);
        idx /= out[i];
        if (s < 0) constant_row = true;
        else off += s * in_st[i];
      }
      std::byte* o = dst + row * inner * es;
      if (constant_row) {
        for (int64_t j = 0; j < inner; ++j) std::memcpy(o + j * es, fill.data(), es);
        continue;
      }
      for (int64_t j = 0; j < mid_lo; ++j) std::memcpy(o + j * es, cols[j] < 0 ? fill.data() : src + (off + cols[j]) * es, es);
      if (mid_hi > mid_lo) std::memcpy(o + mid_lo * es, src + (off + mid_lo - before[r - 1]) * es, (mid_hi - mid_lo) * es);
      for (int64_t j = std::max(mid_lo, mid_hi); j < inner; ++j)
        std::memcpy(o + j * es, cols[j] < 0 ? fill.data() : src + (off + cols[j]) * es, es);
    }
  });
  return {y};
}

Outputs op_Expand(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  std::vector<int64_t> target = int_values(n, input(n, in, 1), "shape");
  for (int64_t d : target)
    if (d < 0) invalid(n, "shape %s has a negative dimension", shape_str(target).c_str());
  Shape out = broadcast_shape(n, {&x.shape(), &target});
  Tensor y = make_uninit_output(n, x.dtype(), out);
  broadcast_copy(n, x, y, ctx);
  return {y};
}

}  // namespace coda::exec::kern
