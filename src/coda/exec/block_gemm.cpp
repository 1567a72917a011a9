// MX / SMX block products: B is transposed once so each block dot reads two contiguous runs; the
// block scales 2^(eA + elem) and 2^(eB + elem) are precomputed as doubles (products of powers of two
// are exact), and rows of C are split over the pool.
#include "coda/exec/block_gemm.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "coda/core/error.h"

namespace coda::exec::blockgemm {

namespace {

// Block geometry: k blocks of `kb` elements; an A exponent covers `ra` rows, a B exponent `cb` columns.
struct Blocks {
  int64_t kb, ra, cb;
};

template <class T>
void block_matmul(int64_t m, int64_t n, int64_t k, const T* a, const int* a_exp, const T* b, const int* b_exp, int a_elem,
                  int b_elem, double* c, ThreadPool* pool, Blocks bl, const char* where) {
  if (m < 0 || n < 0 || k < 0 || bl.kb <= 0) throw InvalidError(where, "negative size or non-positive block");
  if (m == 0 || n == 0) return;
  const int64_t KB = (k + bl.kb - 1) / bl.kb, arows = (m + bl.ra - 1) / bl.ra, bcols = (n + bl.cb - 1) / bl.cb;
  // 2^(e + elem) as doubles; exponents are clamped to double's range first (beyond it every term is
  // 0 or infinite anyway).
  auto pow2 = [](int e) { return std::ldexp(1.0, std::clamp(e, -1100, 1100)); };
  std::vector<double> sa(static_cast<size_t>(arows * KB)), sb(static_cast<size_t>(KB * bcols));
  for (int64_t i = 0; i < arows * KB; ++i) sa[i] = pow2(a_exp[i] + a_elem);
  for (int64_t i = 0; i < KB * bcols; ++i) sb[i] = pow2(b_exp[i] + b_elem);
  std::vector<T> bt(static_cast<size_t>(n * k));
  for (int64_t p = 0; p < k; ++p)
    for (int64_t j = 0; j < n; ++j) bt[j * k + p] = b[p * n + j];
  using Acc = std::conditional_t<sizeof(T) == 1, int32_t, int64_t>;  // |int8 dot| <= kb * 2^14
  CODA_CHECK(sizeof(T) != 1 || bl.kb <= (int64_t{1} << 16), "block too long for an int32 dot");
  auto rows = [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      const T* ar = a + i * k;
      const double* sai = sa.data() + (i / bl.ra) * KB;
      for (int64_t j = 0; j < n; ++j) {
        const T* br = bt.data() + j * k;
        double sum = 0;
        for (int64_t q = 0; q < KB; ++q) {
          const int64_t p0 = q * bl.kb, p1 = std::min(k, p0 + bl.kb);
          Acc dot = 0;
          for (int64_t p = p0; p < p1; ++p) dot += static_cast<Acc>(ar[p]) * static_cast<Acc>(br[p]);
          sum += static_cast<double>(dot) * sai[q] * sb[q * bcols + j / bl.cb];
        }
        c[i * n + j] = sum;
      }
    }
  };
  if (pool) pool->parallel_for(0, m, std::max<int64_t>(1, 8192 / std::max<int64_t>(n * KB, 1)), rows);
  else rows(0, m);
}

}  // namespace

void block_matmul_mxint(int64_t m, int64_t n, int64_t k, const int8_t* a, const int* a_exp, const int8_t* b,
                        const int* b_exp, int a_elem_log2, int b_elem_log2, double* c, ThreadPool* pool, int64_t block) {
  block_matmul(m, n, k, a, a_exp, b, b_exp, a_elem_log2, b_elem_log2, c, pool, {block, 1, 1}, "block_matmul_mxint");
}
void block_matmul_mxint(int64_t m, int64_t n, int64_t k, const int16_t* a, const int* a_exp, const int16_t* b,
                        const int* b_exp, int a_elem_log2, int b_elem_log2, double* c, ThreadPool* pool, int64_t block) {
  block_matmul(m, n, k, a, a_exp, b, b_exp, a_elem_log2, b_elem_log2, c, pool, {block, 1, 1}, "block_matmul_mxint");
}
void block_matmul_smx(int64_t m, int64_t n, int64_t k, const int8_t* a, const int* a_exp, const int8_t* b,
                      const int* b_exp, int a_elem_log2, int b_elem_log2, double* c, ThreadPool* pool) {
  block_matmul(m, n, k, a, a_exp, b, b_exp, a_elem_log2, b_elem_log2, c, pool, {4, 4, 4}, "block_matmul_smx");
}
void block_matmul_smx(int64_t m, int64_t n, int64_t k, const int16_t* a, const int* a_exp, const int16_t* b,
                      const int* b_exp, int a_elem_log2, int b_elem_log2, double* c, ThreadPool* pool) {
  block_matmul(m, n, k, a, a_exp, b, b_exp, a_elem_log2, b_elem_log2, c, pool, {4, 4, 4}, "block_matmul_smx");
}

}  // namespace coda::exec::blockgemm
