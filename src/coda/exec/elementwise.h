// Loops shared by the element-wise kernels: unary maps, and binary / ternary maps under numpy
// broadcasting, split over ctx.pool in row chunks (results do not depend on the thread count).
//
//   Broadcast bc = make_broadcast(node, {&a.shape(), &b.shape()});
//   Tensor y = make_output(node, DType::f32, bc.out);
//   binary_map(ctx, bc, a.data<float>(), b.data<float>(), y.data<float>(), [](float x, float z) { return x + z; });
#pragma once
#include <limits>
#include <type_traits>

#include "coda/exec/broadcast.h"

namespace coda::exec::kern {

template <class TI, class TO, class F>
void unary_map(KernelContext& ctx, int64_t n, const TI* x, TO* y, F f) {
  parallel_for(ctx, n, 1 << 15, [&](int64_t lo, int64_t hi) {
    // Local copies: a byte-sized store could alias the captured pointers and f's state, which would
    // be reloaded every element and keep the loop from vectorising.
    const TI* xs = x;
    TO* ys = y;
    const F fl = f;
    for (int64_t i = lo; i < hi; ++i) ys[i] = fl(xs[i]);
  });
}

// o[i] = f(a[i * sa], b[i * sb]) for i < n, sa and sb in {0, 1}.
template <class TA, class TB, class TO, class F>
inline void binary_run(const TA* pa, const TB* pb, TO* po, int64_t n, int64_t sa, int64_t sb, const F& f_in) {
  const F f = f_in;  // a local copy, as in unary_map
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) po[i] = f(pa[i], pb[i]);
  } else if (sa == 1) {
    const TB vb = *pb;
    for (int64_t i = 0; i < n; ++i) po[i] = f(pa[i], vb);
  } else if (sb == 1) {
    const TA va = *pa;
    for (int64_t i = 0; i < n; ++i) po[i] = f(va, pb[i]);
  } else {
    const TO v = f(*pa, *pb);
    for (int64_t i = 0; i < n; ++i) po[i] = v;
  }
}

template <class TA, class TB, class TO, class F>
void binary_map(KernelContext& ctx, const Broadcast& bc, const TA* a, const TB* b, TO* o, F f) {
  const int64_t inner = bc.inner(), sa = bc.inner_stride(0), sb = bc.inner_stride(1);
  if (bc.dims.size() == 1) {  // a single run (same shapes, or a scalar operand): split it
    parallel_for(ctx, inner, 1 << 15, [&](int64_t lo, int64_t hi) { binary_run(a + lo * sa, b + lo * sb, o + lo, hi - lo, sa, sb, f); });
    return;
  }
  const bool two = bc.dims.size() == 2;
  parallel_for(ctx, bc.rows(), grain_for(bc.rows(), inner), [&](int64_t lo, int64_t hi) {
    int64_t off[2];
    for (int64_t r = lo; r < hi; ++r) {
      if (two) {
        off[0] = r * bc.strides[0][0];
        off[1] = r * bc.strides[1][0];
      } else {
        bc.row_offsets(r, off);
      }
      binary_run(a + off[0], b + off[1], o + r * inner, inner, sa, sb, f);
    }
  });
}

template <class TA, class TB, class TC, class TO, class F>
void ternary_map(KernelContext& ctx, const Broadcast& bc, const TA* a, const TB* b, const TC* c, TO* o, F f) {
  const int64_t inner = bc.inner(), sa = bc.inner_stride(0), sb = bc.inner_stride(1), sc = bc.inner_stride(2);
  parallel_for(ctx, bc.rows(), grain_for(bc.rows(), inner), [&](int64_t lo, int64_t hi) {
    int64_t off[3];
    for (int64_t r = lo; r < hi; ++r) {
      bc.row_offsets(r, off);
      const TA* pa = a + off[0];
      const TB* pb = b + off[1];
      const TC* pc = c + off[2];
      TO* po = o + r * inner;
      for (int64_t i = 0; i < inner; ++i) po[i] = f(pa[i * sa], pb[i * sb], pc[i * sc]);
    }
  });
}

// Wrapping integer arithmetic without signed-overflow UB.
template <class T> T wrap_add(T a, T b) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return a + b;
  }
}
template <class T> T wrap_sub(T a, T b) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) - static_cast<U>(b)));
  } else {
    return a - b;
  }
}
template <class T> T wrap_mul(T a, T b) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    using U = std::make_unsigned_t<T>;
    using W = std::conditional_t<(sizeof(U) < sizeof(unsigned)), unsigned, U>;  // avoid int promotion
    return static_cast<T>(static_cast<U>(static_cast<W>(static_cast<U>(a)) * static_cast<W>(static_cast<U>(b))));
  } else {
    return a * b;
  }
}
template <class T> T wrap_neg(T a) { return wrap_sub(T(0), a); }

}  // namespace coda::exec::kern

namespace coda::exec::kern {

// Calls f(TypeTag<T>{}) for a numeric dtype; bool and undefined raise UnsupportedError / InvalidError.
template <class F> void visit_numeric(const Node& n, DType t, const char* what, F&& f) {
  if (t == DType::undefined) invalid(n, "%s has no dtype", what);
  if (t == DType::boolean) unsupported(n, "%s of dtype bool is not supported by %s", what, graph::op_name(n.op));
  visit_dtype(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) f(tag);
  });
}

// Calls f(TypeTag<T>{}) for f32 / f64; other dtypes raise UnsupportedError.
template <class F> void visit_float(const Node& n, DType t, const char* what, F&& f) {
  if (t == DType::f32) return f(TypeTag<float>{});
  if (t == DType::f64) return f(TypeTag<double>{});
  if (t == DType::undefined) invalid(n, "%s has no dtype", what);
  unsupported(n, "%s of dtype %s is not supported by %s (float32/float64 only)", what, dtype_name(t), graph::op_name(n.op));
}

// double -> T, saturating at T's range and mapping NaN to 0 (no UB on out-of-range values).
template <class T> T saturate_cast(double v) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else if constexpr (std::is_same_v<T, bool>) {
    return v != 0.0;
  } else {
    if (v != v) return T(0);
    constexpr double lo = static_cast<double>(std::numeric_limits<T>::lowest());
    constexpr double hi = static_cast<double>(std::numeric_limits<T>::max());
    if (v <= lo) return std::numeric_limits<T>::lowest();
    if (v >= hi) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  }
}

}  // namespace coda::exec::kern
