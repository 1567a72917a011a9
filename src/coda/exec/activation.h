// An activation fused into the epilogue of Conv, ConvTranspose, Gemm and MatMul, named by node
// attributes a graph rewrite sets: "_activation" = "Relu" | "LeakyRelu" (alpha in
// "_activation_alpha", default 0.01) | "Clip" (bounds in "_activation_min" / "_activation_max").
// The result equals running the activation op on the output, without the extra pass.
//
//   Activation act = fused_activation(node);   // kind none when the node has no "_activation"
//   act.apply(row, len);
#pragma once
#include <cstdint>

#include "coda/exec/kernel_util.h"

namespace coda::exec::kern {

struct Activation {
  enum class Kind { none, relu, leaky_relu, clip } kind = Kind::none;
  float alpha = 0.01f, lo = 0.f, hi = 0.f;

  template <class T> void apply(T* p, int64_t n) const {
    switch (kind) {
      case Kind::none: return;
      case Kind::relu:
        for (int64_t i = 0; i < n; ++i) p[i] = p[i] > T(0) ? p[i] : T(0);
        return;
      case Kind::leaky_relu:
        for (int64_t i = 0; i < n; ++i) p[i] = p[i] >= T(0) ? p[i] : p[i] * static_cast<T>(alpha);
        return;
      case Kind::clip:
        for (int64_t i = 0; i < n; ++i) {
          const T v = p[i] < T(lo) ? T(lo) : p[i];
          p[i] = v > T(hi) ? T(hi) : v;
        }
        return;
    }
  }
};

// Reads the "_activation" attributes; UnsupportedError for an unknown activation.
Activation fused_activation(const Node& n);

}  // namespace coda::exec::kern
