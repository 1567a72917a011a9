// Element-wise unary ops: Sqrt, Exp, Log, Erf, Tanh, Sigmoid, Reciprocal, Floor, Ceil, Round, Gelu (float),
// Relu, Neg, Abs (float and integer), LeakyRelu and Clip.
#include <cmath>
#include <limits>

#include "coda/exec/elementwise.h"
#include "coda/exec/kernel_list.h"
#include "coda/exec/vecmath.h"

namespace coda::exec::kern {

namespace {

// y = f(x) for float inputs; f is generic over float / double.
template <class F> Outputs float_unary(const Node& n, const Inputs& in, KernelContext& ctx, F f) {
  const Tensor& x = input(n, in, 0);
  Tensor y = make_uninit_output(n, x.dtype(), x.shape());
  visit_float(n, x.dtype(), "input", [&](auto tag) {
    using T = typename decltype(tag)::type;
    unary_map(ctx, x.numel(), x.data<T>(), y.data<T>(), [&](T v) { return static_cast<T>(f(v)); });
  });
  return {y};
}

// y = f(x) for any numeric input.
template <class F> Outputs numeric_unary(const Node& n, const Inputs& in, KernelContext& ctx, F f) {
  const Tensor& x = input(n, in, 0);
  Tensor y = make_uninit_output(n, x.dtype(), x.shape());
  visit_numeric(n, x.dtype(), "input", [&](auto tag) {
    using T = typename decltype(tag)::type;
    unary_map(ctx, x.numel(), x.data<T>(), y.data<T>(), [&](T v) { return static_cast<T>(f(v)); });
  });
  return {y};
}

// float32 through a vecmath array function (in parallel chunks), float64 through `f`.
template <class F>
Outputs vector_unary(const Node& n, const Inputs& in, KernelContext& ctx, void (*vf)(const float*, float*, int64_t), F f) {
  const Tensor& x = input(n, in, 0);
  if (x.dtype() != DType::f32) return float_unary(n, in, ctx, f);
  Tensor y = make_uninit_output(n, x.dtype(), x.shape());
  const float* px = x.data<float>();
  float* py = y.data<float>();
  parallel_for(ctx, x.numel(), 1 << 14, [&](int64_t lo, int64_t hi) { vf(px + lo, py + lo, hi - lo); });
  return {y};
}

template <class T> T sigmoid(T v) {
  if (v >= T(0)) return T(1) / (T(1) + std::exp(-v));
  T e = std::exp(v);
  return e / (T(1) + e);
}

}  // namespace

Outputs op_Sqrt(const Node& n, const Inputs& in, KernelContext& ctx) {
  return float_unary(n, in, ctx, [](auto v) { return std::sqrt(v); });
}
Outputs op_Exp(const Node& n, const Inputs& in, KernelContext& ctx) {
  return vector_unary(n, in, ctx, vexp, [](auto v) { return std::exp(v); });
}
Outputs op_Log(const Node& n, const Inputs& in, KernelContext& ctx) {
  return float_unary(n, in, ctx, [](auto v) { return std::log(v); });
}
Outputs op_Erf(const Node& n, const Inputs& in, KernelContext& ctx) {
  return vector_unary(n, in, ctx, verf, [](auto v) { return std::erf(v); });
}
Outputs op_Tanh(const Node& n, const Inputs& in, KernelContext& ctx) {
  return vector_unary(n, in, ctx, vtanh, [](auto v) { return std::tanh(v); });
}
Outputs op_Sigmoid(const Node& n, const Inputs& in, KernelContext& ctx) {
  return vector_unary(n, in, ctx, vsigmoid, [](auto v) { return sigmoid(v); });
}
Outputs op_Reciprocal(const Node& n, const Inputs& in, KernelContext& ctx) {
  return float_unary(n, in, ctx, [](auto v) { return decltype(v)(1) / v; });
}
Outputs op_Floor(const Node& n, const Inputs& in, KernelContext& ctx) {
  return float_unary(n, in, ctx, [](auto v) { return std::floor(v); });
}
Outputs op_Ceil(const Node& n, const Inputs& in, KernelContext& ctx) {
  return float_unary(n, in, ctx, [](auto v) { return std::ceil(v); });
}
// Round: half to even (the default rounding mode), as ONNX specifies.
Outputs op_Round(const Node& n, const Inputs& in, KernelContext& ctx) {
  return float_unary(n, in, ctx, [](auto v) { return std::nearbyint(v); });
}

Outputs op_Gelu(const Node& n, const Inputs& in, KernelContext& ctx) {
  std::string approx = n.s("approximate", "none");
  if (approx == "none") {
    return vector_unary(n, in, ctx, vgelu, [](auto v) {
      using T = decltype(v);
      return T(0.5) * v * (T(1) + std::erf(v * T(M_SQRT1_2)));
    });
  }
  if (approx == "tanh") {
    return vector_unary(n, in, ctx, vgelu_tanh, [](auto v) {
      using T = decltype(v);
      const T k = std::sqrt(T(2) / T(M_PI));
      return T(0.5) * v * (T(1) + std::tanh(k * (v + T(0.044715) * v * v * v)));
    });
  }
  invalid(n, "Gelu approximate must be 'none' or 'tanh', got '%s'", approx.c_str());
}

Outputs op_Relu(const Node& n, const Inputs& in, KernelContext& ctx) {
  return numeric_unary(n, in, ctx, [](auto v) { return v > decltype(v)(0) ? v : decltype(v)(0); });
}

Outputs op_Neg(const Node& n, const Inputs& in, KernelContext& ctx) {
  return numeric_unary(n, in, ctx, [](auto v) { return wrap_neg(v); });
}

Outputs op_Abs(const Node& n, const Inputs& in, KernelContext& ctx) {
  return numeric_unary(n, in, ctx, [](auto v) {
    using T = decltype(v);
    if constexpr (std::is_unsigned_v<T>) return v;
    else if constexpr (std::is_floating_point_v<T>) return std::fabs(v);
    else return v < T(0) ? wrap_neg(v) : v;
  });
}

Outputs op_LeakyRelu(const Node& n, const Inputs& in, KernelContext& ctx) {
  float alpha = n.f("alpha", 0.01f);
  return float_unary(n, in, ctx, [alpha](auto v) {
    using T = decltype(v);
    return v >= T(0) ? v : v * static_cast<T>(alpha);
  });
}

// Clip: bounds from attributes min/max (opset < 11) or optional inputs 1 and 2 (opset >= 11).
Outputs op_Clip(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  Tensor y = make_uninit_output(n, x.dtype(), x.shape());
  visit_numeric(n, x.dtype(), "input", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T lo = std::numeric_limits<T>::lowest(), hi = std::numeric_limits<T>::max();
    auto bound = [&](size_t k, const char* name, T& v) {
      if (const Tensor* t = optional_input(in, k)) {
        if (t->dtype() != x.dtype()) invalid(n, "%s has dtype %s, input has %s", name, dtype_name(t->dtype()), dtype_name(x.dtype()));
        if (t->numel() != 1) invalid(n, "%s must be a scalar, got shape %s", name, shape_str(t->shape()).c_str());
        v = t->data<T>()[0];
      } else if (n.has(name)) {
        v = saturate_cast<T>(n.f(name, 0.f));
      }
    };
    bound(1, "min", lo);
    bound(2, "max", hi);
    unary_map(ctx, x.numel(), x.data<T>(), y.data<T>(), [lo, hi](T v) {
      if constexpr (std::is_floating_point_v<T>) {
        if (v != v) return v;
      }
      v = v < lo ? lo : v;
      return v > hi ? hi : v;
    });
  });
  return {y};
}

}  // namespace coda::exec::kern
