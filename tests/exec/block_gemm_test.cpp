// MX / SMX block products against dequantise-then-multiply in long double, a hand-worked case, and
// exact identities (one shared exponent gives the integer product; SMX commutes with transposition).
#include "coda/exec/block_gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "coda/core/error.h"

namespace coda::exec::blockgemm {
namespace {

template <class T> std::vector<T> random_codes(size_t count, int lo, int hi, std::mt19937& rng) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<T> v(count);
  for (auto& x : v) x = static_cast<T>(d(rng));
  return v;
}
std::vector<int> random_exps(size_t count, std::mt19937& rng, int lo = -12, int hi = 12) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int> v(count);
  for (auto& x : v) x = d(rng);
  return v;
}

// Dequantises both operands element by element (code * 2^(block exponent + elem)) and multiplies in
// long double; also returns sum |terms| per output for the tolerance.
template <class T>
void reference(int64_t m, int64_t n, int64_t k, const std::vector<T>& a, const std::vector<int>& ae, const std::vector<T>& b,
               const std::vector<int>& be, int elem_a, int elem_b, int64_t kb, int64_t ra, int64_t cb,
               std::vector<long double>& c, std::vector<long double>& mag) {
  const int64_t KB = (k + kb - 1) / kb, bcols = (n + cb - 1) / cb;
  c.assign(m * n, 0);
  mag.assign(m * n, 0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p) {
        const long double av = std::ldexp(static_cast<long double>(a[i * k + p]), ae[(i / ra) * KB + p / kb] + elem_a);
        const long double bv = std::ldexp(static_cast<long double>(b[p * n + j]), be[(p / kb) * bcols + j / cb] + elem_b);
        c[i * n + j] += av * bv;
        mag[i * n + j] += std::fabs(av * bv);
      }
}

template <class T>
void expect_close(const std::vector<double>& got, const std::vector<long double>& want, const std::vector<long double>& mag) {
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_LE(std::fabs(static_cast<long double>(got[i]) - want[i]), 1e-14L * mag[i] + 1e-300L) << "element " << i;
}

TEST(BlockGemm, MxintMatchesDequantizedProduct) {
  std::mt19937 rng(11);
  struct Case {
    int64_t m, n, k;
  };
  ThreadPool pool(2);
  for (Case cs : {Case{1, 1, 1}, Case{3, 5, 32}, Case{4, 7, 64}, Case{5, 3, 100}, Case{9, 17, 97}}) {
    const int64_t KB = (cs.k + 31) / 32;
    auto a = random_codes<int8_t>(cs.m * cs.k, -128, 127, rng), b = random_codes<int8_t>(cs.k * cs.n, -128, 127, rng);
    auto ae = random_exps(cs.m * KB, rng), be = random_exps(KB * cs.n, rng);
    std::vector<double> c(cs.m * cs.n), c2(cs.m * cs.n);
    block_matmul_mxint(cs.m, cs.n, cs.k, a.data(), ae.data(), b.data(), be.data(), -6, -6, c.data());
    block_matmul_mxint(cs.m, cs.n, cs.k, a.data(), ae.data(), b.data(), be.data(), -6, -6, c2.data(), &pool);
    EXPECT_EQ(c, c2) << "thread count changed the bits";
    std::vector<long double> want, mag;
    reference(cs.m, cs.n, cs.k, a, ae, b, be, -6, -6, 32, 1, 1, want, mag);
    expect_close<int8_t>(c, want, mag);
  }
}

TEST(BlockGemm, MxintInt16CodesAndOtherBlockSizes) {
  std::mt19937 rng(12);
  const int64_t m = 6, n = 5, k = 50, blk = 16, KB = (k + blk - 1) / blk;
  auto a = random_codes<int16_t>(m * k, -2048, 2047, rng), b = random_codes<int16_t>(k * n, -2048, 2047, rng);
  auto ae = random_exps(m * KB, rng), be = random_exps(KB * n, rng);
  std::vector<double> c(m * n);
  block_matmul_mxint(m, n, k, a.data(), ae.data(), b.data(), be.data(), -10, -10, c.data(), nullptr, blk);
  std::vector<long double> want, mag;
  reference(m, n, k, a, ae, b, be, -10, -10, blk, 1, 1, want, mag);
  expect_close<int16_t>(c, want, mag);
}

TEST(BlockGemm, MxintHandWorked) {
  // one row of 64 ones (exponents 0 and 3) times one column of 64 twos (exponents 1 and 0):
  // 32 * 2 * 2^1 + 32 * 2 * 2^3 = 640, times the element scales 2^-6 * 2^-6.
  std::vector<int8_t> a(64, 1), b(64, 2);
  const int ae[2] = {0, 3}, be[2] = {1, 0};
  double c = 0;
  block_matmul_mxint(1, 1, 64, a.data(), ae, b.data(), be, -6, -6, &c);
  EXPECT_EQ(c, 640.0 / 4096.0);
}

TEST(BlockGemm, SharedExponentGivesTheIntegerProductExactly) {
  std::mt19937 rng(13);
  const int64_t m = 5, n = 6, k = 70, KB = 3;
  auto a = random_codes<int8_t>(m * k, -128, 127, rng), b = random_codes<int8_t>(k * n, -128, 127, rng);
  std::vector<int> ae(m * KB, 2), be(KB * n, -3);
  std::vector<double> c(m * n);
  block_matmul_mxint(m, n, k, a.data(), ae.data(), b.data(), be.data(), 0, 0, c.data());
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int64_t s = 0;
      for (int64_t p = 0; p < k; ++p) s += int64_t{a[i * k + p]} * b[p * n + j];
      EXPECT_EQ(c[i * n + j], std::ldexp(static_cast<double>(s), -1));
    }
}

TEST(BlockGemm, SmxMatchesDequantizedProductAndCommutesWithTransposition) {
  std::mt19937 rng(14);
  struct Case {
    int64_t m, n, k;
  };
  for (Case cs : {Case{4, 4, 4}, Case{8, 12, 16}, Case{5, 7, 9}, Case{13, 3, 22}}) {
    const int64_t mb = (cs.m + 3) / 4, nb = (cs.n + 3) / 4, kb = (cs.k + 3) / 4;
    auto a = random_codes<int16_t>(cs.m * cs.k, -2048, 2047, rng), b = random_codes<int16_t>(cs.k * cs.n, -2048, 2047, rng);
    auto ae = random_exps(mb * kb, rng), be = random_exps(kb * nb, rng);
    std::vector<double> c(cs.m * cs.n);
    block_matmul_smx(cs.m, cs.n, cs.k, a.data(), ae.data(), b.data(), be.data(), -10, -10, c.data());
    std::vector<long double> want, mag;
    reference(cs.m, cs.n, cs.k, a, ae, b, be, -10, -10, 4, 4, 4, want, mag);
    expect_close<int16_t>(c, want, mag);
    // (A B)^T = B^T A^T with the exponent grids transposed: the same terms in the same order.
    std::vector<int16_t> at(a.size()), bt(b.size());
    std::vector<int> aet(ae.size()), bet(be.size());
    for (int64_t i = 0; i < cs.m; ++i)
      for (int64_t p = 0; p < cs.k; ++p) at[p * cs.m + i] = a[i * cs.k + p];
    for (int64_t p = 0; p < cs.k; ++p)
      for (int64_t j = 0; j < cs.n; ++j) bt[j * cs.k + p] = b[p * cs.n + j];
    for (int64_t x = 0; x < mb; ++x)
      for (int64_t q = 0; q < kb; ++q) aet[q * mb + x] = ae[x * kb + q];
    for (int64_t q = 0; q < kb; ++q)
      for (int64_t y = 0; y < nb; ++y) bet[y * kb + q] = be[q * nb + y];
    std::vector<double> ct(cs.m * cs.n);
    block_matmul_smx(cs.n, cs.m, cs.k, bt.data(), bet.data(), at.data(), aet.data(), -10, -10, ct.data());
    for (int64_t i = 0; i < cs.m; ++i)
      for (int64_t j = 0; j < cs.n; ++j) ASSERT_EQ(ct[j * cs.m + i], c[i * cs.n + j]);
  }
  // int8 codes too
  const int64_t m = 6, n = 5, k = 11;
  auto a = random_codes<int8_t>(m * k, -128, 127, rng), b = random_codes<int8_t>(k * n, -128, 127, rng);
  auto ae = random_exps(2 * 3, rng), be = random_exps(3 * 2, rng);
  std::vector<double> c(m * n);
  block_matmul_smx(m, n, k, a.data(), ae.data(), b.data(), be.data(), -6, -6, c.data());
  std::vector<long double> want, mag;
  reference(m, n, k, a, ae, b, be, -6, -6, 4, 4, 4, want, mag);
  expect_close<int8_t>(c, want, mag);
}

TEST(BlockGemm, RejectsBadSizes) {
  double c = 0;
  int8_t x = 0;
  int e = 0;
  EXPECT_THROW(block_matmul_mxint(-1, 1, 1, &x, &e, &x, &e, 0, 0, &c), InvalidError);
  EXPECT_THROW(block_matmul_mxint(1, 1, 1, &x, &e, &x, &e, 0, 0, &c, nullptr, 0), InvalidError);
}

}  // namespace
}  // namespace coda::exec::blockgemm
