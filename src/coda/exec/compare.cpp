// Equal, Less, Greater (bool outputs), Not and Where, with numpy broadcasting.
#include "coda/exec/elementwise.h"
#include "coda/exec/kernel_list.h"

namespace coda::exec::kern {

namespace {

template <class Cmp> Outputs compare(const Node& n, const Inputs& in, KernelContext& ctx, Cmp cmp) {
  const Tensor& a = input(n, in, 0);
  const Tensor& b = input(n, in, 1);
  if (a.dtype() != b.dtype())
    invalid(n, "inputs have different dtypes (%s and %s)", dtype_name(a.dtype()), dtype_name(b.dtype()));
  Broadcast bc = make_broadcast(n, {&a.shape(), &b.shape()});
  Tensor y = make_uninit_output(n, DType::boolean, bc.out);
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    binary_map(ctx, bc, a.data<T>(), b.data<T>(), y.data<bool>(), [&](T u, T v) { return cmp(u, v); });
  });
  return {y};
}

}  // namespace

Outputs op_Equal(const Node& n, const Inputs& in, KernelContext& ctx) {
  return compare(n, in, ctx, [](auto u, auto v) { return u == v; });
}
Outputs op_Less(const Node& n, const Inputs& in, KernelContext& ctx) {
  return compare(n, in, ctx, [](auto u, auto v) { return u < v; });
}
Outputs op_Greater(const Node& n, const Inputs& in, KernelContext& ctx) {
  return compare(n, in, ctx, [](auto u, auto v) { return u > v; });
}

Outputs op_Not(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  require_dtype(n, x, {DType::boolean}, "input");
  Tensor y = make_uninit_output(n, DType::boolean, x.shape());
  unary_map(ctx, x.numel(), x.data<bool>(), y.data<bool>(), [](bool v) { return !v; });
  return {y};
}

Outputs op_Where(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& c = input(n, in, 0);
  const Tensor& a = input(n, in, 1);
  const Tensor& b = input(n, in, 2);
  require_dtype(n, c, {DType::boolean}, "condition");
  if (a.dtype() != b.dtype())
    invalid(n, "X and Y have different dtypes (%s and %s)", dtype_name(a.dtype()), dtype_name(b.dtype()));
  Broadcast bc = make_broadcast(n, {&c.shape(), &a.shape(), &b.shape()});
  Tensor y = make_uninit_output(n, a.dtype(), bc.out);
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    ternary_map(ctx, bc, c.data<bool>(), a.data<T>(), b.data<T>(), y.data<T>(),
                [](bool s, T u, T v) { return s ? u : v; });
  });
  return {y};
}

}  // namespace coda::exec::kern
