// Add, Sub, Mul, Div, Pow and the variadic Max / Min, with numpy broadcasting over every numeric dtype.
#include <cmath>

#include "coda/exec/elementwise.h"
#include "coda/exec/kernel_list.h"

namespace coda::exec::kern {

namespace {

// Two inputs of one dtype, broadcast; y = f(a, b) with y of the same dtype.
template <class Op> Outputs arithmetic(const Node& n, const Inputs& in, KernelContext& ctx, Op op) {
  const Tensor& a = input(n, in, 0);
  const Tensor& b = input(n, in, 1);
  if (a.dtype() != b.dtype())
    invalid(n, "inputs have different dtypes (%s and %s)", dtype_name(a.dtype()), dtype_name(b.dtype()));
  Broadcast bc = make_broadcast(n, {&a.shape(), &b.shape()});
  Tensor y = make_uninit_output(n, a.dtype(), bc.out);
  visit_numeric(n, a.dtype(), "input", [&](auto tag) {
    using T = typename decltype(tag)::type;
    op(tag, bc, a.data<T>(), b.data<T>(), y.data<T>());
  });
  return {y};
}

template <class T> T int_pow(T base, T exp) {
  if (exp < T(0)) {  // what pow() then truncation toward zero gives
    if (base == T(1)) return T(1);
    if constexpr (std::is_signed_v<T>) {
      if (base == T(-1)) return (exp % 2 == 0) ? T(1) : T(-1);
    }
    if (base == T(0)) return T(0);  // division by zero: pow gives inf; pick 0 rather than UB
    return T(0);
  }
  T r = T(1);
  using U = std::make_unsigned_t<T>;
  U e = static_cast<U>(exp);
  while (e) {
    if (e & 1u) r = wrap_mul(r, base);
    base = wrap_mul(base, base);
    e >>= 1;
  }
  return r;
}

template <class TX, class TY> TX pow_value(TX x, TY y) {
  if constexpr (std::is_integral_v<TX> && std::is_integral_v<TY>) {
    int64_t e = static_cast<int64_t>(y);
    if constexpr (std::is_unsigned_v<TY>) {
      if (static_cast<uint64_t>(y) > static_cast<uint64_t>(INT64_MAX)) e = INT64_MAX;
    }
    if constexpr (sizeof(TX) < 8 || std::is_unsigned_v<TX>) {
      using W = std::conditional_t<std::is_signed_v<TX>, int64_t, uint64_t>;
      W r = static_cast<W>(int_pow<int64_t>(static_cast<int64_t>(x), e));
      return static_cast<TX>(r);
    } else {
      return int_pow<TX>(x, static_cast<TX>(e));
    }
  } else if constexpr (std::is_same_v<TX, float> && std::is_same_v<TY, float>) {
    return std::pow(x, y);
  } else {
    return saturate_cast<TX>(std::pow(static_cast<double>(x), static_cast<double>(y)));
  }
}

}  // namespace

Outputs op_Add(const Node& n, const Inputs& in, KernelContext& ctx) {
  return arithmetic(n, in, ctx, [&](auto tag, const Broadcast& bc, const auto* a, const auto* b, auto* y) {
    using T = typename decltype(tag)::type;
    binary_map(ctx, bc, a, b, y, [](T u, T v) { return wrap_add(u, v); });
  });
}

Outputs op_Sub(const Node& n, const Inputs& in, KernelContext& ctx) {
  return arithmetic(n, in, ctx, [&](auto tag, const Broadcast& bc, const auto* a, const auto* b, auto* y) {
    using T = typename decltype(tag)::type;
    binary_map(ctx, bc, a, b, y, [](T u, T v) { return wrap_sub(u, v); });
  });
}

Outputs op_Mul(const Node& n, const Inputs& in, KernelContext& ctx) {
  return arithmetic(n, in, ctx, [&](auto tag, const Broadcast& bc, const auto* a, const auto* b, auto* y) {
    using T = typename decltype(tag)::type;
    binary_map(ctx, bc, a, b, y, [](T u, T v) { return wrap_mul(u, v); });
  });
}

Outputs op_Div(const Node& n, const Inputs& in, KernelContext& ctx) {
  return arithmetic(n, in, ctx, [&](auto tag, const Broadcast& bc, const auto* a, const auto* b, auto* y) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<T>) {
      binary_map(ctx, bc, a, b, y, [&](T u, T v) {
        if (v == T(0)) invalid(n, "integer division by zero");
        if constexpr (std::is_signed_v<T>) {
          if (v == T(-1)) return wrap_neg(u);  // INT_MIN / -1 wraps instead of trapping
        }
        return static_cast<T>(u / v);
      });
    } else {
      binary_map(ctx, bc, a, b, y, [](T u, T v) { return u / v; });
    }
  });
}

Outputs op_Pow(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  const Tensor& e = input(n, in, 1);
  Broadcast bc = make_broadcast(n, {&x.shape(), &e.shape()});
  Tensor y = make_uninit_output(n, x.dtype(), bc.out);
  visit_numeric(n, x.dtype(), "base", [&](auto xtag) {
    using TX = typename decltype(xtag)::type;
    visit_numeric(n, e.dtype(), "exponent", [&](auto etag) {
      using TY = typename decltype(etag)::type;
      if constexpr (std::is_floating_point_v<TX>) {
        if (e.numel() == 1 && e.get_f64(0) == 2.0) {  // x*x is exactly pow(x, 2) and much faster
          unary_map(ctx, y.numel(), x.data<TX>(), y.data<TX>(), [](TX v) { return v * v; });
          return;
        }
      }
      binary_map(ctx, bc, x.data<TX>(), e.data<TY>(), y.data<TX>(), [](TX u, TY v) { return pow_value<TX, TY>(u, v); });
    });
  });
  return {y};
}

namespace {

// Max / Min over any number of inputs, folded pairwise under broadcasting (NaN propagates).
template <bool kMax> Outputs variadic_extreme(const Node& n, const Inputs& in, KernelContext& ctx) {
  if (in.empty()) invalid(n, "needs at least one input");
  Tensor acc = input(n, in, 0);
  if (in.size() == 1) return {acc.clone()};
  for (size_t k = 1; k < in.size(); ++k) {
    const Tensor& b = input(n, in, k);
    if (b.dtype() != acc.dtype())
      invalid(n, "inputs have different dtypes (%s and %s)", dtype_name(acc.dtype()), dtype_name(b.dtype()));
    Broadcast bc = make_broadcast(n, {&acc.shape(), &b.shape()});
    Tensor y = make_uninit_output(n, acc.dtype(), bc.out);
    visit_numeric(n, acc.dtype(), "input", [&](auto tag) {
      using T = typename decltype(tag)::type;
      binary_map(ctx, bc, acc.data<T>(), b.data<T>(), y.data<T>(), [](T u, T v) {
        if constexpr (std::is_floating_point_v<T>) {
          if (u != u) return u;
          if (v != v) return v;
        }
        if constexpr (kMax) return u < v ? v : u;
        else return v < u ? v : u;
      });
    });
    acc = y;
  }
  return {acc};
}

}  // namespace

Outputs op_Max(const Node& n, const Inputs& in, KernelContext& ctx) { return variadic_extreme<true>(n, in, ctx); }
Outputs op_Min(const Node& n, const Inputs& in, KernelContext& ctx) { return variadic_extreme<false>(n, in, ctx); }

}  // namespace coda::exec::kern
