// ReduceMean, ReduceSum, ReduceMax: axes from the attribute (older opsets) or input 1 (ReduceSum
// from opset 13), keepdims, noop_with_empty_axes. Float sums accumulate in double.
#include <cmath>
#include <limits>

#include "coda/exec/elementwise.h"
#include "coda/exec/kernel_list.h"

namespace coda::exec::kern {

namespace {

enum class Reduction { sum, mean, max };

// The reduction as kept dims (outer, one per output element) and reduced dims, each with the
// input strides, adjacent dims coalesced.
struct ReducePlan {
  std::vector<int64_t> kept_dims, kept_strides, red_dims, red_strides;
  int64_t out_numel = 1, red_numel = 1;
};

ReducePlan plan_reduce(const Shape& shape, const std::vector<bool>& reduced) {
  ReducePlan p;
  Shape st = shape_strides(shape);
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    auto& dims = reduced[i] ? p.red_dims : p.kept_dims;
    auto& strides = reduced[i] ? p.red_strides : p.kept_strides;
    if (!dims.empty() && strides.back() == st[i] * shape[i]) {
      dims.back() *= shape[i];
      strides.back() = st[i];
    } else {
      dims.push_back(shape[i]);
      strides.push_back(st[i]);
    }
    (reduced[i] ? p.red_numel : p.out_numel) *= shape[i];
  }
  for (int64_t d : shape)
    if (d == 0) p.out_numel = p.red_numel = 0;
  if (p.red_dims.empty()) {
    p.red_dims.push_back(1);
    p.red_strides.push_back(0);
  }
  return p;
}

// Offset of the idx-th combination of `dims` under `strides`.
int64_t offset_of(int64_t idx, const std::vector<int64_t>& dims, const std::vector<int64_t>& strides) {
  int64_t off = 0;
  for (size_t i = dims.size(); i-- > 0;) {
    off += (idx % dims[i]) * strides[i];
    idx /= dims[i];
  }
  return off;
}

template <class T, Reduction R>
void reduce_into(const ReducePlan& p, const T* x, T* y, KernelContext& ctx) {
  const int64_t inner = p.red_dims.back(), inner_stride = p.red_strides.back();
  const int64_t outer_red = p.red_numel / inner, outputs = p.out_numel;
  const std::vector<int64_t> rd(p.red_dims.begin(), p.red_dims.end() - 1),
      rs(p.red_strides.begin(), p.red_strides.end() - 1);
  parallel_for(ctx, outputs, grain_for(outputs, p.red_numel), [&](int64_t lo, int64_t hi) {
    for (int64_t o = lo; o < hi; ++o) {
      const T* base = x + offset_of(o, p.kept_dims, p.kept_strides);
      using Acc = std::conditional_t<std::is_floating_point_v<T>, double, T>;
      Acc acc = R == Reduction::max ? Acc(std::numeric_limits<T>::lowest()) : Acc(0);
      if constexpr (R == Reduction::max && std::is_floating_point_v<T>) acc = -std::numeric_limits<double>::infinity();
      for (int64_t r = 0; r < outer_red; ++r) {
        const T* q = base + offset_of(r, rd, rs);
        for (int64_t i = 0; i < inner; ++i) {
          const T v = q[i * inner_stride];
          if constexpr (R == Reduction::max) {
            if constexpr (std::is_floating_point_v<T>) {
              if (v != v || acc != acc) acc = std::numeric_limits<double>::quiet_NaN();
              else if (v > acc) acc = v;
            } else if (v > acc) {
              acc = v;
            }
          } else if constexpr (std::is_floating_point_v<T>) {
            acc += static_cast<double>(v);
          } else {
            acc = wrap_add<T>(acc, v);
          }
        }
      }
      if constexpr (R == Reduction::mean) {
        y[o] = p.red_numel ? saturate_cast<T>(static_cast<double>(acc) / static_cast<double>(p.red_numel)) : T(0);
      } else {
        y[o] = static_cast<T>(acc);
      }
    }
  });
}

template <Reduction R> Outputs reduce(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  std::vector<int64_t> axes;
  const Tensor* axes_in = optional_input(in, 1);
  if (axes_in) axes = int_values(n, *axes_in, "axes");
  else axes = n.ints("axes", {});
  const bool keepdims = n.i("keepdims", 1) != 0;
  if (axes.empty() && n.i("noop_with_empty_axes", 0) != 0) return {x};
  std::vector<bool> reduced(static_cast<size_t>(x.rank()), axes.empty());
  for (int64_t a : normalize_axes(n, axes, x.rank())) reduced[static_cast<size_t>(a)] = true;
  Shape out;
  for (int64_t i = 0; i < x.rank(); ++i) {
    if (!reduced[i]) out.push_back(x.dim(i));
    else if (keepdims) out.push_back(1);
  }
  Tensor y = make_output(n, x.dtype(), out);
  ReducePlan p = plan_reduce(x.shape(), reduced);
  visit_numeric(n, x.dtype(), "input", [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (x.numel() == 0) {  // reducing nothing: the identity of the reduction
      if constexpr (R == Reduction::max) {
        T v = std::numeric_limits<T>::lowest();
        if constexpr (std::is_floating_point_v<T>) v = -std::numeric_limits<T>::infinity();
        for (int64_t i = 0; i < y.numel(); ++i) y.data<T>()[i] = v;
      } else if constexpr (R == Reduction::mean && std::is_floating_point_v<T>) {
        for (int64_t i = 0; i < y.numel(); ++i) y.data<T>()[i] = std::numeric_limits<T>::quiet_NaN();
      }
      return;
    }
    reduce_into<T, R>(p, x.data<T>(), y.data<T>(), ctx);
  });
  return {y};
}

}  // namespace

Outputs op_ReduceSum(const Node& n, const Inputs& in, KernelContext& ctx) { return reduce<Reduction::sum>(n, in, ctx); }
Outputs op_ReduceMean(const Node& n, const Inputs& in, KernelContext& ctx) { return reduce<Reduction::mean>(n, in, ctx); }
Outputs op_ReduceMax(const Node& n, const Inputs& in, KernelContext& ctx) { return reduce<Reduction::max>(n, in, ctx); }

}  // namespace coda::exec::kern
