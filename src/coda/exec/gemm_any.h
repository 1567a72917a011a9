// gemm_any<T>: GEMM for any numeric element type, sgemm for float32 and a plain loop otherwise
// (float64, integers: accumulate in T with wrapping; alpha/beta applied in double and saturated).
//
//   GemmArgs g{.m = m, .n = n, .k = k, .lda = k, .ldb = n, .ldc = n};
//   gemm_any<double>(g, a, b, c, pool);
#pragma once
#include <type_traits>

#include "coda/exec/elementwise.h"
#include "coda/exec/gemm.h"

namespace coda::exec::kern {

template <class T> void plain_gemm(const GemmArgs& g, const T* a, const T* b, T* c) {
  for (int64_t i = 0; i < g.m; ++i) {
    for (int64_t j = 0; j < g.n; ++j) {
      T acc = T(0);
      for (int64_t p = 0; p < g.k; ++p) {
        T x = g.trans_a ? a[p * g.lda + i] : a[i * g.lda + p];
        T y = g.trans_b ? b[j * g.ldb + p] : b[p * g.ldb + j];
        acc = wrap_add(acc, wrap_mul(x, y));
      }
      T& out = c[i * g.ldc + j];
      if (g.alpha == 1.f && g.beta == 0.f) {
        out = acc;
      } else {
        double v = static_cast<double>(g.alpha) * static_cast<double>(acc);
        if (g.beta != 0.f) v += static_cast<double>(g.beta) * static_cast<double>(out);
        out = saturate_cast<T>(v);
      }
    }
  }
}

// g's pointers are ignored; a, b, c are used instead.
template <class T> void gemm_any(const GemmArgs& g, const T* a, const T* b, T* c, ThreadPool* pool) {
  if constexpr (std::is_same_v<T, float>) {
    GemmArgs s = g;
    s.a = a;
    s.b = b;
    s.c = c;
    sgemm(s, pool);
  } else {
    plain_gemm<T>(g, a, b, c);
  }
}

}  // namespace coda::exec::kern
