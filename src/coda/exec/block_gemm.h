// Block-scaled integer matrix products, as MX / SMX hardware computes them: integer element codes
// share a power-of-two exponent per block, each block pair is an exact integer dot product, and only
// the per-block results are scaled and summed. Raw arrays in, so quant/ (which owns the formats and
// depends on exec) can call it:
//
//   C[i][j] = sum over k-blocks kb of  dot(A codes of the block, B codes of the block)
//                                      * 2^(eA + eB + a_elem_log2 + b_elem_log2)
//
// MX (OCP Microscaling, integer elements): blocks of `block` (32) consecutive k for one row of A and
// one column of B. a_exp is [m, KB] and b_exp [KB, n], KB = ceil(k / block). MXINT8 codes are
// two's-complement int8 with an implicit scale 2^-6 (element = code / 64): elem_log2 = -6.
// SMX (PINTA's square blocks): 4 x 4 blocks on both operands; a_exp is [ceil(m/4), ceil(k/4)],
// b_exp [ceil(k/4), ceil(n/4)]. INT12 codes need the int16 overloads.
//
// Each block dot is exact (int32 for int8 codes, int64 for int16); block scales are powers of two, so
// every term dot * 2^e is exact in double and the terms are summed in double in increasing k.
// Edge blocks may be partial (k, m, n need not be multiples of the block size).
//
//   // MXINT8 A [m,k] x MXINT8 B [k,n]
//   block_matmul_mxint(m, n, k, a_codes, a_exp, b_codes, b_exp, -6, -6, c);
//   block_matmul_smx(m, n, k, a12, a_exp, b12, b_exp, -10, -10, c);   // SMX-INT12 (int16 codes)
#pragma once
#include <cstdint>

#include "coda/core/thread_pool.h"

namespace coda::exec::blockgemm {

void block_matmul_mxint(int64_t m, int64_t n, int64_t k, const int8_t* a, const int* a_exp, const int8_t* b,
                        const int* b_exp, int a_elem_log2, int b_elem_log2, double* c, ThreadPool* pool = nullptr,
                        int64_t block = 32);
void block_matmul_mxint(int64_t m, int64_t n, int64_t k, const int16_t* a, const int* a_exp, const int16_t* b,
                        const int* b_exp, int a_elem_log2, int b_elem_log2, double* c, ThreadPool* pool = nullptr,
                        int64_t block = 32);

void block_matmul_smx(int64_t m, int64_t n, int64_t k, const int8_t* a, const int* a_exp, const int8_t* b,
                      const int* b_exp, int a_elem_log2, int b_elem_log2, double* c, ThreadPool* pool = nullptr);
void block_matmul_smx(int64_t m, int64_t n, int64_t k, const int16_t* a, const int* a_exp, const int16_t* b,
                      const int* b_exp, int a_elem_log2, int b_elem_log2, double* c, ThreadPool* pool = nullptr);

}  // namespace coda::exec::blockgemm
