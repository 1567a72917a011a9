// qgemm: every ISA path (those this CPU runs) against a naive int64 reference truncated to int32,
// bit for bit: random shapes with odd m / n / k and k not a multiple of 4, extreme values, leading
// dimensions larger than the matrix, every signedness mix, packed and transposed B, int32
// wrap-around, and 1 vs 2 threads.
#include "coda/exec/qgemm.h"

#include <gtest/gtest.h>

#include <random>

namespace coda::exec::qgemm {
namespace {

constexpr Isa kIsas[] = {Isa::Scalar, Isa::Avx2, Isa::Avx512Vnni};

// Random bytes; `extreme` draws only the ends of the range (0 / 255 or -128 / 127) and 0.
std::vector<uint8_t> random_bytes(size_t count, bool is_signed, std::mt19937& rng, bool extreme) {
  std::vector<uint8_t> v(count);
  std::uniform_int_distribution<int> d(0, 255), pick(0, 2);
  for (auto& x : v) {
    if (!extreme) {
      x = static_cast<uint8_t>(d(rng));
      continue;
    }
    const int p = pick(rng);
    x = is_signed ? static_cast<uint8_t>(p == 0 ? -128 : p == 1 ? 127 : 0) : static_cast<uint8_t>(p == 0 ? 255 : p == 1 ? 255 : 0);
  }
  return v;
}

int64_t value(uint8_t byte, bool is_signed) { return is_signed ? static_cast<int8_t>(byte) : byte; }

// C = A * B in int64, truncated to int32 (C++20 conversion is modulo 2^32). B [k,n] (or [n,k] if trans).
std::vector<int32_t> reference(int64_t m, int64_t n, int64_t k, const std::vector<uint8_t>& a, bool as, int64_t lda,
                               const std::vector<uint8_t>& b, bool bs, int64_t ldb, bool trans_b = false) {
  std::vector<int32_t> c(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int64_t s = 0;
      for (int64_t p = 0; p < k; ++p)
        s += value(a[i * lda + p], as) * value(trans_b ? b[j * ldb + p] : b[p * ldb + j], bs);
      c[i * n + j] = static_cast<int32_t>(s);
    }
  return c;
}

struct Shape3 {
  int64_t m, n, k;
};

// Runs gemm_i8 on `isa` with C of row stride ldc (sentinel-filled) and returns the m x n result,
// checking that the padding columns were not touched.
std::vector<int32_t> run(Isa isa, const Shape3& s, const std::vector<uint8_t>& a, bool as, int64_t lda,
                         const std::vector<uint8_t>& b, bool bs, int64_t ldb, int64_t ldc, ThreadPool* pool) {
  std::vector<int32_t> c(static_cast<size_t>(std::max<int64_t>(s.m * ldc, 1)), 0x5a5a5a5a);
  gemm_i8(isa, s.m, s.n, s.k, a.data(), as, lda, b.data(), bs, ldb, c.data(), ldc, pool);
  std::vector<int32_t> out(static_cast<size_t>(s.m * s.n));
  for (int64_t i = 0; i < s.m; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      if (j < s.n) out[i * s.n + j] = c[i * ldc + j];
      else EXPECT_EQ(c[i * ldc + j], 0x5a5a5a5a) << "padding of C written at " << i << "," << j;
    }
  return out;
}

TEST(Qgemm, IsaNamesAndBestIsSupported) {
  EXPECT_TRUE(isa_supported(Isa::Scalar));
  EXPECT_TRUE(isa_supported(best_isa()));
  EXPECT_STREQ(isa_name(Isa::Avx512Vnni), "avx512vnni");
  EXPECT_STREQ(isa_name(Isa::Avx2), "avx2");
  EXPECT_STREQ(isa_name(Isa::Scalar), "scalar");
}

TEST(Qgemm, HandWorkedProduct) {
  // [255 -> 255, 0, 1] x [[-128, 127], [5, 5], [2, -3]] = [255*-128 + 2, 255*127 - 3]
  const uint8_t a[] = {255, 0, 1};
  const int8_t b[] = {-128, 127, 5, 5, 2, -3};
  for (Isa isa : kIsas) {
    if (!isa_supported(isa)) continue;
    int32_t c[2] = {1, 1};
    gemm_u8s8s32(isa, 1, 2, 3, a, 3, b, 2, c, 2);
    EXPECT_EQ(c[0], -32638) << isa_name(isa);
    EXPECT_EQ(c[1], 32382) << isa_name(isa);
  }
}

TEST(Qgemm, EveryPathMatchesInt64ReferenceOnRandomShapes) {
  std::mt19937 rng(2024);
  std::uniform_int_distribution<int64_t> dm(1, 40), dn(1, 150), dk(1, 300), pad(0, 9);
  std::vector<Shape3> shapes = {{1, 1, 1}, {1, 1, 3}, {6, 64, 4}, {7, 65, 5}, {13, 129, 257}, {96, 64, 64}, {97, 17, 1},
                                {2, 3, 1031}, {5, 1025, 9}, {200, 70, 1100}};
  for (int i = 0; i < 30; ++i) shapes.push_back({dm(rng), dn(rng), dk(rng)});
  static ThreadPool pool(2);
  int case_id = 0;
  for (const Shape3& s : shapes) {
    for (int mix = 0; mix < 4; ++mix) {
      const bool as = mix & 1, bs = mix & 2;
      const bool extreme = (case_id++ % 3) == 0;
      const int64_t lda = s.k + pad(rng), ldb = s.n + pad(rng), ldc = s.n + pad(rng);
      std::vector<uint8_t> a = random_bytes(static_cast<size_t>(s.m * lda), as, rng, extreme);
      std::vector<uint8_t> b = random_bytes(static_cast<size_t>(s.k * ldb), bs, rng, extreme);
      const std::vector<int32_t> want = reference(s.m, s.n, s.k, a, as, lda, b, bs, ldb);
      for (Isa isa : kIsas) {
        if (!isa_supported(isa)) continue;
        SCOPED_TRACE(::testing::Message() << isa_name(isa) << " m=" << s.m << " n=" << s.n << " k=" << s.k << " a_signed=" << as
                                          << " b_signed=" << bs << " extreme=" << extreme);
        EXPECT_EQ(run(isa, s, a, as, lda, b, bs, ldb, ldc, nullptr), want);
        EXPECT_EQ(run(isa, s, a, as, lda, b, bs, ldb, ldc, &pool), want);
      }
    }
  }
}

TEST(Qgemm, TypedEntryPointsAndPackedBAgree) {
  std::mt19937 rng(5);
  const int64_t m = 23, n = 70, k = 45;
  std::vector<uint8_t> au = random_bytes(m * k, false, rng, false), as = random_bytes(m * k, true, rng, false);
  std::vector<uint8_t> bs = random_bytes(k * n, true, rng, false), bu = random_bytes(k * n, false, rng, false);
  const auto* as8 = reinterpret_cast<const int8_t*>(as.data());
  const auto* bs8 = reinterpret_cast<const int8_t*>(bs.data());
  for (Isa isa : kIsas) {
    if (!isa_supported(isa)) continue;
    SCOPED_TRACE(isa_name(isa));
    std::vector<int32_t> c(m * n);
    gemm_u8s8s32(isa, m, n, k, au.data(), k, bs8, n, c.data(), n);
    EXPECT_EQ(c, reference(m, n, k, au, false, k, bs, true, n));
    gemm_s8s8s32(isa, m, n, k, as8, k, bs8, n, c.data(), n);
    EXPECT_EQ(c, reference(m, n, k, as, true, k, bs, true, n));
    gemm_s8u8s32(isa, m, n, k, as8, k, bu.data(), n, c.data(), n);
    EXPECT_EQ(c, reference(m, n, k, as, true, k, bu, false, n));
    gemm_u8u8s32(isa, m, n, k, au.data(), k, bu.data(), n, c.data(), n);
    EXPECT_EQ(c, reference(m, n, k, au, false, k, bu, false, n));

    PackedB pb = pack_b(isa, k, n, bs8, n);
    EXPECT_EQ(pb.isa(), isa);
    EXPECT_TRUE(pb.is_signed());
    for (int64_t j = 0; j < n; ++j) {
      int64_t s = 0;
      for (int64_t p = 0; p < k; ++p) s += static_cast<int8_t>(bs[p * n + j]);
      ASSERT_EQ(pb.col_sums()[j], s) << "column " << j;
    }
    gemm_u8s8s32_packed(m, au.data(), k, pb, c.data(), n);
    EXPECT_EQ(c, reference(m, n, k, au, false, k, bs, true, n));
    gemm_s8s8s32_packed(m, as8, k, pb, c.data(), n);
    EXPECT_EQ(c, reference(m, n, k, as, true, k, bs, true, n));
    // B stored transposed ([n,k], row stride k + 3) packs to the same product.
    std::vector<uint8_t> bt(n * (k + 3), 0x77);
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < n; ++j) bt[j * (k + 3) + p] = bs[p * n + j];
    PackedB pt = pack_b(isa, k, n, reinterpret_cast<const int8_t*>(bt.data()), k + 3, /*trans_b=*/true);
    for (int64_t j = 0; j < n; ++j) ASSERT_EQ(pt.col_sums()[j], pb.col_sums()[j]);
    gemm_u8s8s32_packed(m, au.data(), k, pt, c.data(), n);
    EXPECT_EQ(c, reference(m, n, k, au, false, k, bs, true, n));
    // A copy shares the packed bytes; repacking the original must not change the copy.
    PackedB copy = pb;
    pb.assign(isa, k, n, bu.data(), false, n);
    gemm_u8s8s32_packed(m, au.data(), k, copy, c.data(), n);
    EXPECT_EQ(c, reference(m, n, k, au, false, k, bs, true, n));
  }
}

TEST(Qgemm, PackOptionsAndAddendsAreExact) {
  // Every mix of A / B signedness, flipped or plain B, transposed or not, with and without row and
  // column addends: C = A B + row_add[i] + col_add[j] (mod 2^32).
  std::mt19937 rng(9);
  const int64_t m = 14, n = 37, k = 27;
  static ThreadPool pool(2);
  std::vector<int32_t> row_add(m), col_add(n);
  for (auto& v : row_add) v = static_cast<int32_t>(rng());
  for (auto& v : col_add) v = static_cast<int32_t>(rng());
  for (int mix = 0; mix < 32; ++mix) {
    const bool as = mix & 1, bs = mix & 2, flip = mix & 4, trans = mix & 8, adds = mix & 16;
    std::vector<uint8_t> a = random_bytes(m * k, as, rng, mix % 3 == 0), b = random_bytes(k * n, bs, rng, mix % 3 == 1);
    std::vector<uint8_t> bt(n * k);
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < n; ++j) bt[j * k + p] = b[p * n + j];
    std::vector<int32_t> want = reference(m, n, k, a, as, k, b, bs, n);
    if (adds)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j)
          want[i * n + j] = static_cast<int32_t>(static_cast<uint32_t>(want[i * n + j]) + static_cast<uint32_t>(row_add[i]) +
                                                 static_cast<uint32_t>(col_add[j]));
    for (Isa isa : kIsas) {
      if (!isa_supported(isa)) continue;
      SCOPED_TRACE(::testing::Message() << isa_name(isa) << " mix " << mix);
      PackedB pb;
      pb.assign(isa, k, n, trans ? bt.data() : b.data(), bs, trans ? k : n, trans, flip, /*col_sums=*/true);
      EXPECT_EQ(pb.flipped(), flip);
      std::vector<int32_t> c(m * n);
      gemm_packed(m, a.data(), as, k, pb, c.data(), n, (mix & 1) ? &pool : nullptr, adds ? row_add.data() : nullptr,
                  adds ? col_add.data() : nullptr);
      EXPECT_EQ(c, want);
      // Without column sums: fine whenever A's signedness differs from B's stored bytes.
      const bool stored_signed = bs != flip;
      PackedB ns;
      ns.assign(isa, k, n, b.data(), bs, n, false, flip, /*col_sums=*/false);
      EXPECT_EQ(ns.col_sums(), nullptr);
      if (as != stored_signed) {
        gemm_packed(m, a.data(), as, k, ns, c.data(), n, nullptr, adds ? row_add.data() : nullptr, adds ? col_add.data() : nullptr);
        EXPECT_EQ(c, want);
      }
    }
  }
  // k = 0: C = row_add + col_add
  std::vector<int32_t> c(2 * 3, 7);
  const int8_t* none = nullptr;
  PackedB empty = pack_b(best_isa(), 0, 3, none, 3);
  gemm_packed(2, nullptr, false, 0, empty, c.data(), 3, nullptr, row_add.data(), col_add.data());
  EXPECT_EQ(c[4], static_cast<int32_t>(static_cast<uint32_t>(row_add[1]) + static_cast<uint32_t>(col_add[1])));
}

TEST(Qgemm, Int32AccumulationWrapsLikeTheScalarCode) {
  // 70000 * 255 * -128 = -2284800000 < INT32_MIN: the exact sum modulo 2^32.
  const int64_t k = 70000;
  std::vector<uint8_t> a(k, 255);
  std::vector<int8_t> b(k * 2);
  for (int64_t p = 0; p < k; ++p) {
    b[p * 2] = -128;
    b[p * 2 + 1] = 127;
  }
  const int32_t want0 = static_cast<int32_t>(int64_t{-128} * 255 * k), want1 = static_cast<int32_t>(int64_t{127} * 255 * k);
  ASSERT_NE(int64_t{want0}, int64_t{-128} * 255 * k);  // it does wrap
  for (Isa isa : kIsas) {
    if (!isa_supported(isa)) continue;
    int32_t c[2];
    gemm_u8s8s32(isa, 1, 2, k, a.data(), k, b.data(), 2, c, 2);
    EXPECT_EQ(c[0], want0) << isa_name(isa);
    EXPECT_EQ(c[1], want1) << isa_name(isa);
  }
}

TEST(Qgemm, EmptyDimensions) {
  const uint8_t a[4] = {1, 2, 3, 4};
  const int8_t b[4] = {1, 2, 3, 4};
  int32_t c[4] = {9, 9, 9, 9};
  gemm_u8s8s32(best_isa(), 2, 2, 0, a, 0, b, 2, c, 2);  // k = 0: C = 0
  EXPECT_EQ(c[0], 0);
  EXPECT_EQ(c[3], 0);
  c[0] = 9;
  gemm_u8s8s32(best_isa(), 0, 2, 2, a, 2, b, 2, c, 2);  // m = 0: nothing written
  gemm_u8s8s32(best_isa(), 2, 0, 2, a, 2, b, 2, c, 2);
  EXPECT_EQ(c[0], 9);
}

TEST(Qgemm, RowSums) {
  const uint8_t a[6] = {255, 1, 128, 0, 127, 129};  // as int8: -1 1 -128 / 0 127 -127
  int32_t s[2];
  row_sums(2, 3, a, false, 3, s);
  EXPECT_EQ(s[0], 384);
  EXPECT_EQ(s[1], 256);
  row_sums(2, 3, a, true, 3, s);
  EXPECT_EQ(s[0], -128);
  EXPECT_EQ(s[1], 0);
}

}  // namespace
}  // namespace coda::exec::qgemm
