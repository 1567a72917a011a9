// Concat and Split (sizes from input 1 or the "split" attribute, or equal parts; uneven last
// part as num_outputs allows).
#include <algorithm>
#include <cstring>

#include "coda/exec/kernel_list.h"

namespace coda::exec::kern {

Outputs op_Concat(const Node& n, const Inputs& in, KernelContext& ctx) {
  if (in.empty()) invalid(n, "needs at least one input");
  const Tensor& first = input(n, in, 0);
  if (first.rank() == 0) invalid(n, "cannot concatenate scalars");
  const int64_t axis = normalize_axis(n, n.i("axis"), first.rank());
  Shape out = first.shape();
  out[axis] = 0;
  for (size_t k = 0; k < in.size(); ++k) {
    const Tensor& t = input(n, in, k);
    if (t.dtype() != first.dtype()) invalid(n, "input %zu is %s, input 0 is %s", k, dtype_name(t.dtype()), dtype_name(first.dtype()));
    bool ok = t.rank() == first.rank();
    for (int64_t i = 0; ok && i < t.rank(); ++i) ok = i == axis || t.dim(i) == first.dim(i);
    if (!ok) invalid(n, "input %zu %s does not match input 0 %s outside axis %lld", k, shape_str(t.shape()).c_str(),
                     shape_str(first.shape()).c_str(), (long long)axis);
    out[axis] += t.dim(axis);
  }
  Tensor y = make_uninit_output(n, first.dtype(), out);
  const size_t es = dtype_size(first.dtype());
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < first.rank(); ++i) {
    if (i < axis) outer *= out[i];
    if (i > axis) inner *= out[i];
  }
  const int64_t out_row = out[axis] * inner;
  auto* dst = static_cast<std::byte*>(y.raw());
  parallel_for(ctx, outer, grain_for(outer, out_row), [&](int64_t lo, int64_t hi) {
    for (int64_t o = lo; o < hi; ++o) {
      int64_t col = 0;
      for (const Tensor& t : in) {
        const int64_t len = t.dim(axis) * inner;
        if (len) std::memcpy(dst + (o * out_row + col) * es, static_cast<const std::byte*>(t.raw()) + o * len * es, len * es);
        col += len;
      }
    }
  });
  return {y};
}

Outputs op_Split(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  if (x.rank() == 0) invalid(n, "cannot split a scalar");
  const int64_t axis = normalize_axis(n, n.i("axis", 0), x.rank()), dim = x.dim(axis);
  std::vector<int64_t> sizes;
  if (const Tensor* s = optional_input(in, 1)) sizes = int_values(n, *s, "split");
  else sizes = n.ints("split", {});
  if (sizes.empty()) {
    int64_t parts = n.i("num_outputs", static_cast<int64_t>(n.outputs.size()));
    if (parts < 1) invalid(n, "needs at least one output");
    const int64_t chunk = (dim + parts - 1) / parts;
    for (int64_t p = 0; p < parts; ++p) sizes.push_back(std::max<int64_t>(0, std::min(chunk, dim - p * chunk)));
  }
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0) invalid(n, "split sizes must be >= 0");
    total += s;
  }
  if (total != dim) invalid(n, "split sizes sum to %lld but axis %lld has %lld", (long long)total, (long long)axis, (long long)dim);
  if (!n.outputs.empty() && sizes.size() != n.outputs.size())
    invalid(n, "%zu split sizes for %zu outputs", sizes.size(), n.outputs.size());
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < x.rank(); ++i) {
    if (i < axis) outer *= x.dim(i);
    if (i > axis) inner *= x.dim(i);
  }
  const size_t es = dtype_size(x.dtype());
  const auto* src = static_cast<const std::byte*>(x.raw());
  Outputs outs;
  int64_t start = 0;
  for (int64_t s : sizes) {
    Shape shape = x.shape();
    shape[axis] = s;
    Tensor y = make_uninit_output(n, x.dtype(), shape);
    auto* dst = static_cast<std::byte*>(y.raw());
    const int64_t len = s * inner;
    if (len)
      parallel_for(ctx, outer, grain_for(outer, len), [&](int64_t lo, int64_t hi) {
        for (int64_t o = lo; o < hi; ++o) std::memcpy(dst + o * len * es, src + (o * dim + start) * inner * es, len * es);
      });
    start += s;
    outs.push_back(y);
  }
  return outs;
}

}  // namespace coda::exec::kern
