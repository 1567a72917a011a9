// The int32 GEMM of the quantized kernels: C[m,n] = A[m,k] * B[k,n] on zero-point-centred int16
// operands (|values| <= 255), wrapping int32 accumulation. pmaddwd kernels for SSE2, AVX2 and
// AVX-512BW, picked at run time; integer arithmetic makes every path give the same bits.
//
//   igemm_rows(isa_best(), m, n, k, a, lda, b, ldb, c, ldc);   // one thread, all rows
#pragma once
#include <cstdint>

namespace coda::exec::kern {

using IgemmFn = void (*)(int64_t m, int64_t n, int64_t k, const int16_t* a, int64_t lda, const int16_t* b, int64_t ldb,
                         int32_t* c, int64_t ldc);

namespace igemm_generic { void igemm_rows(int64_t, int64_t, int64_t, const int16_t*, int64_t, const int16_t*, int64_t, int32_t*, int64_t); }
namespace igemm_avx2 { void igemm_rows(int64_t, int64_t, int64_t, const int16_t*, int64_t, const int16_t*, int64_t, int32_t*, int64_t); }
namespace igemm_avx512 { void igemm_rows(int64_t, int64_t, int64_t, const int16_t*, int64_t, const int16_t*, int64_t, int32_t*, int64_t); }

// The kernel for this CPU.
IgemmFn best_igemm();

}  // namespace coda::exec::kern
