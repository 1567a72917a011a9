// Single-precision GEMM for MatMul, Gemm, Conv and ConvTranspose: C = alpha * op(A) * op(B) + beta * C
// on row-major matrices with leading dimensions. Small products and short k use a register-tiled
// kernel, the rest Eigen's blocked GEMM; both are compiled for generic x86-64, AVX2+FMA and
// AVX-512 and picked at run time. sgemm splits C into tiles whose boundaries depend only on
// (m, n, k), so the bits do not depend on the thread count.
//
//   // C[m,n] = A[m,k] * B[k,n]
//   sgemm({.m = m, .n = n, .k = k, .a = A, .lda = k, .b = B, .ldb = n, .c = C, .ldc = n}, pool);
#pragma once
#include <cstdint>

#include "coda/core/thread_pool.h"

namespace coda::exec::kern {

struct GemmArgs {
  bool trans_a = false, trans_b = false;
  int64_t m = 0, n = 0, k = 0;
  float alpha = 1.f;
  const float* a = nullptr;
  int64_t lda = 0;  // row stride of A as stored ([m,k], or [k,m] when trans_a)
  const float* b = nullptr;
  int64_t ldb = 0;  // row stride of B as stored ([k,n], or [n,k] when trans_b)
  float beta = 0.f; // beta == 0 ignores C's old contents (NaN included)
  float* c = nullptr;
  int64_t ldc = 0;
};

enum class GemmIsa { generic, avx2, avx512 };

// The fastest kernel this CPU runs.
GemmIsa best_gemm_isa();
bool gemm_isa_supported(GemmIsa isa);
const char* gemm_isa_name(GemmIsa isa);

// Splits over pool (may be null) and runs the best kernel.
void sgemm(const GemmArgs& g, ThreadPool* pool);
// One tile on the calling thread with a chosen kernel (tests compare kernels).
void sgemm_serial(GemmIsa isa, const GemmArgs& g);

// The per-ISA kernels, each defined in its own translation unit (gemm_kernel.inc).
namespace gemm_generic { void sgemm_tile(const GemmArgs& g); }
namespace gemm_avx2 { void sgemm_tile(const GemmArgs& g); }
namespace gemm_avx512 { void sgemm_tile(const GemmArgs& g); }

}  // namespace coda::exec::kern
