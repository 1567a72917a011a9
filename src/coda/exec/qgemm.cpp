// qgemm: run-time ISA choice, B packing, the blocked driver over the per-ISA kernels, and the
// sign flip that maps same-signedness operand pairs onto the u8 x s8 kernels.
#include "coda/exec/qgemm.h"

#include <emmintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "coda/core/error.h"

namespace coda::exec::qgemm {

bool isa_supported(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return true;
    case Isa::Avx2: return __builtin_cpu_supports("avx2");
    case Isa::Avx512Vnni:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx2");
  }
  return false;
}

Isa best_isa() {
  static const Isa best = [] {
    if (isa_supported(Isa::Avx512Vnni)) return Isa::Avx512Vnni;
    if (isa_supported(Isa::Avx2)) return Isa::Avx2;
    return Isa::Scalar;
  }();
  return best;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return "scalar";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512Vnni: return "avx512vnni";
  }
  return "?";
}

namespace {

struct Kernel {
  const detail::Geometry* geo;
  detail::PackAFn pack_a;
  detail::MacroFn macro;
};

Kernel kernel_for(Isa isa) {
  CODA_CHECK(isa_supported(isa), "qgemm kernel %s is not supported by this CPU", isa_name(isa));
  switch (isa) {
    case Isa::Avx512Vnni:
      return {&detail::qgemm_avx512vnni::geometry, detail::qgemm_avx512vnni::pack_a, detail::qgemm_avx512vnni::macro};
    case Isa::Avx2: return {&detail::qgemm_avx2::geometry, detail::qgemm_avx2::pack_a, detail::qgemm_avx2::macro};
    case Isa::Scalar: break;
  }
  return {&detail::qgemm_generic::geometry, detail::qgemm_generic::pack_a, detail::qgemm_generic::macro};
}

// 64-byte-aligned storage for packed operands.
std::shared_ptr<int8_t> aligned_bytes(size_t bytes) {
  void* p = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
  CODA_CHECK(p != nullptr, "qgemm: out of memory (%zu bytes)", bytes);
  return std::shared_ptr<int8_t>(static_cast<int8_t*>(p), [](int8_t* q) { std::free(q); });
}

// A growing per-thread buffer (no allocation once it is large enough).
struct Scratch {
  std::shared_ptr<int8_t> data;
  size_t size = 0;
  void* get(size_t bytes) {
    if (bytes > size) {
      data = aligned_bytes(bytes);
      size = bytes;
    }
    return data.get();
  }
};

// Interleaves 4 rows of 16 (or 8) bytes into 16 (or 8) columns of 4 bytes.
// Bytes are XORed with `flip` (0 or 0x80 in every lane).
inline void interleave16(const uint8_t* r0, const uint8_t* r1, const uint8_t* r2, const uint8_t* r3, __m128i flip,
                         int8_t* out) {
  const __m128i x0 = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r0)), flip);
  const __m128i x1 = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r1)), flip);
  const __m128i x2 = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r2)), flip);
  const __m128i x3 = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r3)), flip);
  const __m128i lo01 = _mm_unpacklo_epi8(x0, x1), lo23 = _mm_unpacklo_epi8(x2, x3);
  const __m128i hi01 = _mm_unpackhi_epi8(x0, x1), hi23 = _mm_unpackhi_epi8(x2, x3);
  __m128i* o = reinterpret_cast<__m128i*>(out);
  _mm_storeu_si128(o + 0, _mm_unpacklo_epi16(lo01, lo23));
  _mm_storeu_si128(o + 1, _mm_unpackhi_epi16(lo01, lo23));
  _mm_storeu_si128(o + 2, _mm_unpacklo_epi16(hi01, hi23));
  _mm_storeu_si128(o + 3, _mm_unpackhi_epi16(hi01, hi23));
}
inline void interleave8(const uint8_t* r0, const uint8_t* r1, const uint8_t* r2, const uint8_t* r3, __m128i flip,
                        int8_t* out) {
  const __m128i x0 = _mm_xor_si128(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(r0)), flip);
  const __m128i x1 = _mm_xor_si128(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(r1)), flip);
  const __m128i x2 = _mm_xor_si128(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(r2)), flip);
  const __m128i x3 = _mm_xor_si128(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(r3)), flip);
  const __m128i lo01 = _mm_unpacklo_epi8(x0, x1), lo23 = _mm_unpacklo_epi8(x2, x3);
  __m128i* o = reinterpret_cast<__m128i*>(out);
  _mm_storeu_si128(o + 0, _mm_unpacklo_epi16(lo01, lo23));
  _mm_storeu_si128(o + 1, _mm_unpackhi_epi16(lo01, lo23));
}

// One panel (columns [j0, j0 + nr)) of B given by row pointers (row r at rows[r]), bytes XOR flip.
void pack_panel(int64_t k, int64_t n, const uint8_t* const* rows, int64_t j0, int64_t nr, uint8_t flip, int8_t* out) {
  const int64_t groups = (k + 3) / 4, cols = std::min(nr, n - j0);
  const __m128i fv = _mm_set1_epi8(static_cast<char>(flip));
  for (int64_t g = 0; g < groups; ++g) {
    int8_t* og = out + g * nr * 4;
    if (g * 4 + 3 < k) {
      const uint8_t *r0 = rows[g * 4] + j0, *r1 = rows[g * 4 + 1] + j0, *r2 = rows[g * 4 + 2] + j0, *r3 = rows[g * 4 + 3] + j0;
      int64_t j = 0;
      for (; j + 16 <= cols; j += 16) interleave16(r0 + j, r1 + j, r2 + j, r3 + j, fv, og + j * 4);
      for (; j + 8 <= cols; j += 8) interleave8(r0 + j, r1 + j, r2 + j, r3 + j, fv, og + j * 4);
      for (; j < cols; ++j) {
        og[j * 4 + 0] = static_cast<int8_t>(r0[j] ^ flip);
        og[j * 4 + 1] = static_cast<int8_t>(r1[j] ^ flip);
        og[j * 4 + 2] = static_cast<int8_t>(r2[j] ^ flip);
        og[j * 4 + 3] = static_cast<int8_t>(r3[j] ^ flip);
      }
      std::memset(og + cols * 4, 0, static_cast<size_t>((nr - cols) * 4));
    } else {
      for (int64_t j = 0; j < nr; ++j)
        for (int t = 0; t < 4; ++t) {
          const int64_t kk = g * 4 + t;
          og[j * 4 + t] = j < cols && kk < k ? static_cast<int8_t>(rows[kk][j0 + j] ^ flip) : 0;
        }
    }
  }
}

// One panel of B stored transposed ([n,k], row j of Bt is column j of B).
void pack_panel_t(int64_t k, int64_t n, const uint8_t* bt, int64_t ldb, int64_t j0, int64_t nr, uint8_t flip, int8_t* out) {
  const int64_t groups = (k + 3) / 4, full = k / 4, cols = std::min(nr, n - j0);
  const uint32_t flip4 = flip * 0x01010101u;
  for (int64_t j = 0; j < nr; ++j) {
    const uint8_t* row = j < cols ? bt + (j0 + j) * ldb : nullptr;
    for (int64_t g = 0; g < groups; ++g) {
      int8_t* o = out + (g * nr + j) * 4;
      if (row && g < full) {
        uint32_t w;
        std::memcpy(&w, row + g * 4, 4);
        w ^= flip4;
        std::memcpy(o, &w, 4);
      } else {
        for (int t = 0; t < 4; ++t) o[t] = row && g * 4 + t < k ? static_cast<int8_t>(row[g * 4 + t] ^ flip) : 0;
      }
    }
  }
}

void check_dims(int64_t m, int64_t n, int64_t k) {
  CODA_CHECK(m >= 0 && n >= 0 && k >= 0, "qgemm: negative dimension (%lld, %lld, %lld)", (long long)m, (long long)n,
             (long long)k);
  CODA_CHECK(k < (int64_t{1} << 31), "qgemm: k = %lld is too large", (long long)k);
}

}  // namespace

void PackedB::assign(Isa isa, int64_t k, int64_t n, const void* b, bool b_signed, int64_t ldb, bool trans_b, bool flip,
                     bool col_sums) {
  const uint8_t* src = static_cast<const uint8_t*>(b);
  if (!trans_b) {
    thread_local std::vector<const uint8_t*> rows;
    rows.resize(static_cast<size_t>(std::max<int64_t>(k, 0)));
    for (int64_t kk = 0; kk < k; ++kk) rows[kk] = src + kk * ldb;
    return assign_rows(isa, k, n, rows.data(), b_signed, flip, col_sums);
  }
  prepare(isa, k, n, b_signed, flip, col_sums);
  const uint8_t fb = flip ? 0x80 : 0;
  for (int64_t p = 0; p * nr_ < n; ++p) pack_panel_t(k, n, src, ldb, p * nr_, nr_, fb, data_.get() + p * panel_bytes());
  if (!col_sums) return;
  uint32_t* s = reinterpret_cast<uint32_t*>(col_sums_.data());
  for (int64_t j = 0; j < n; ++j) {
    uint32_t acc = 0;
    const uint8_t* row = src + j * ldb;
    if (b_signed)
      for (int64_t kk = 0; kk < k; ++kk) acc += static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(row[kk])));
    else
      for (int64_t kk = 0; kk < k; ++kk) acc += row[kk];
    s[j] = acc;
  }
}

void PackedB::assign_rows(Isa isa, int64_t k, int64_t n, const uint8_t* const* rows, bool b_signed, bool flip,
                          bool col_sums) {
  prepare(isa, k, n, b_signed, flip, col_sums);
  const uint8_t fb = flip ? 0x80 : 0;
  for (int64_t p = 0; p * nr_ < n; ++p) pack_panel(k, n, rows, p * nr_, nr_, fb, data_.get() + p * panel_bytes());
  if (!col_sums) return;
  // Column sums of the values as given (uint32 arithmetic: wraps like the kernels).
  uint32_t* s = reinterpret_cast<uint32_t*>(col_sums_.data());
  for (int64_t kk = 0; kk < k; ++kk) {
    const uint8_t* row = rows[kk];
    if (b_signed)
      for (int64_t j = 0; j < n; ++j) s[j] += static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(row[j])));
    else
      for (int64_t j = 0; j < n; ++j) s[j] += row[j];
  }
}

void PackedB::prepare(Isa isa, int64_t k, int64_t n, bool b_signed, bool flip, bool col_sums) {
  check_dims(0, n, k);
  const Kernel kern = kernel_for(isa);
  isa_ = isa;
  k_ = k;
  n_ = n;
  nr_ = kern.geo->nr;
  groups_ = (k + 3) / 4;
  signed_ = b_signed;
  flipped_ = flip;
  has_col_sums_ = col_sums;
  const int64_t panels = (n + nr_ - 1) / nr_;
  const size_t bytes = static_cast<size_t>(std::max<int64_t>(panels * panel_bytes(), 1));
  if (bytes > capacity_ || data_.use_count() > 1) {  // never overwrite bytes a copy still shares
    data_ = aligned_bytes(bytes);
    capacity_ = bytes;
  }
  if (col_sums) col_sums_.assign(static_cast<size_t>(n), 0);
}

PackedB pack_b(Isa isa, int64_t k, int64_t n, const int8_t* b, int64_t ldb, bool trans_b) {
  PackedB p;
  p.assign(isa, k, n, b, true, ldb, trans_b);
  return p;
}
PackedB pack_b(Isa isa, int64_t k, int64_t n, const uint8_t* b, int64_t ldb, bool trans_b) {
  PackedB p;
  p.assign(isa, k, n, b, false, ldb, trans_b);
  return p;
}

void gemm_packed(int64_t m, const void* a_ptr, bool a_signed, int64_t lda, const PackedB& b, int32_t* c, int64_t ldc,
                 ThreadPool* pool, const int32_t* row_add, const int32_t* col_add) {
  const int64_t n = b.n(), k = b.k();
  check_dims(m, n, k);
  if (m == 0 || n == 0) return;
  const uint8_t* a = static_cast<const uint8_t*>(a_ptr);
  // The kernels take one unsigned and one signed operand. B's stored bytes are B' = B - delta
  // (delta = -128 for flipped int8, +128 for flipped uint8, else 0); A's are A' = A - eps, eps
  // non-zero when A has the signedness of B'. Then (mod 2^32)
  //   A B = A' B' + eps * (colsum(B) - k delta) [per column] + delta * rowsum(A) [per row].
  const bool b_stored_signed = b.is_signed() != b.flipped();
  const bool flip_a = a_signed == b_stored_signed;
  const uint32_t delta = !b.flipped() ? 0u : b.is_signed() ? static_cast<uint32_t>(-128) : 128u;
  const uint32_t eps = !flip_a ? 0u : a_signed ? static_cast<uint32_t>(-128) : 128u;
  thread_local std::vector<int32_t> col_buf, row_buf;
  const int32_t* col_tot = col_add;
  if (flip_a) {
    CODA_CHECK(b.col_sums() != nullptr, "qgemm: B packed without column sums cannot take this A");
    col_buf.resize(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) {
      const uint32_t cs = static_cast<uint32_t>(b.col_sums()[j]) - static_cast<uint32_t>(k) * delta;
      col_buf[j] = static_cast<int32_t>(eps * cs + (col_add ? static_cast<uint32_t>(col_add[j]) : 0u));
    }
    col_tot = col_buf.data();
  }
  const int32_t* row_tot = row_add;
  if (delta != 0) {
    row_buf.resize(static_cast<size_t>(m));
    row_sums(m, k, a, a_signed, lda, row_buf.data());
    for (int64_t i = 0; i < m; ++i)
      row_buf[i] = static_cast<int32_t>(delta * static_cast<uint32_t>(row_buf[i]) + (row_add ? static_cast<uint32_t>(row_add[i]) : 0u));
    row_tot = row_buf.data();
  }
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        c[i * ldc + j] = static_cast<int32_t>((row_tot ? static_cast<uint32_t>(row_tot[i]) : 0u) +
                                              (col_tot ? static_cast<uint32_t>(col_tot[j]) : 0u));
    return;
  }
  const Kernel kern = kernel_for(b.isa());
  const detail::Geometry& geo = *kern.geo;
  const bool a_signed_packed = !b_stored_signed;
  const int64_t mc = geo.mc, nc = geo.nc, kc = geo.kc;
  const int64_t mblocks = (m + mc - 1) / mc, nblocks = (n + nc - 1) / nc, kblocks = (k + kc - 1) / kc;
  const size_t a_bytes = static_cast<size_t>((mc + geo.mr - 1) / geo.mr * geo.mr * kc * geo.a_elem);
  auto body = [&](int64_t lo, int64_t hi) {
    thread_local Scratch a_scratch;
    void* abuf = a_scratch.get(a_bytes);
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t nb = t / mblocks, mb = t % mblocks;  // consecutive tasks share a B block
      const int64_t i0 = mb * mc, j0 = nb * nc, rows = std::min(mc, m - i0), cols = std::min(nc, n - j0);
      for (int64_t kb = 0; kb < kblocks; ++kb) {
        const int64_t k0 = kb * kc, klen = std::min(kc, k - k0);
        kern.pack_a(rows, klen, a + i0 * lda + k0, lda, flip_a ? 0x80 : 0, a_signed_packed, abuf);
        detail::MacroArgs args;
        args.mc = rows;
        args.nc = cols;
        args.groups = (klen + 3) / 4;
        args.a = abuf;
        args.b = b.data() + (j0 / geo.nr) * b.panel_bytes() + (k0 / 4) * geo.nr * 4;
        args.b_panel_stride = b.panel_bytes();
        args.c = c + i0 * ldc + j0;
        args.ldc = ldc;
        args.accumulate = kb > 0;
        args.col_add = col_tot ? col_tot + j0 : nullptr;
        args.row_add = row_tot ? row_tot + i0 : nullptr;
        args.b_unsigned = !b_stored_signed;
        kern.macro(args);
      }
    }
  };
  const int64_t tasks = mblocks * nblocks;
  if (pool && tasks > 1) pool->parallel_for(0, tasks, 1, body);
  else body(0, tasks);
}

void gemm_i8(Isa isa, int64_t m, int64_t n, int64_t k, const void* a, bool a_signed, int64_t lda, const void* b,
             bool b_signed, int64_t ldb, int32_t* c, int64_t ldc, ThreadPool* pool) {
  check_dims(m, n, k);
  if (m == 0 || n == 0) return;
  // Same signedness: flip B while packing (A's row sums correct it), so no column sums are needed.
  thread_local PackedB packed;
  packed.assign(isa, k, n, b, b_signed, ldb, /*trans_b=*/false, /*flip=*/a_signed == b_signed, /*col_sums=*/false);
  gemm_packed(m, a, a_signed, lda, packed, c, ldc, pool);
}

void gemm_u8s8s32(Isa isa, int64_t m, int64_t n, int64_t k, const uint8_t* a, int64_t lda, const int8_t* b, int64_t ldb,
                  int32_t* c, int64_t ldc, ThreadPool* pool) {
  gemm_i8(isa, m, n, k, a, false, lda, b, true, ldb, c, ldc, pool);
}
void gemm_s8s8s32(Isa isa, int64_t m, int64_t n, int64_t k, const int8_t* a, int64_t lda, const int8_t* b, int64_t ldb,
                  int32_t* c, int64_t ldc, ThreadPool* pool) {
  gemm_i8(isa, m, n, k, a, true, lda, b, true, ldb, c, ldc, pool);
}
void gemm_s8u8s32(Isa isa, int64_t m, int64_t n, int64_t k, const int8_t* a, int64_t lda, const uint8_t* b, int64_t ldb,
                  int32_t* c, int64_t ldc, ThreadPool* pool) {
  gemm_i8(isa, m, n, k, a, true, lda, b, false, ldb, c, ldc, pool);
}
void gemm_u8u8s32(Isa isa, int64_t m, int64_t n, int64_t k, const uint8_t* a, int64_t lda, const uint8_t* b, int64_t ldb,
                  int32_t* c, int64_t ldc, ThreadPool* pool) {
  gemm_i8(isa, m, n, k, a, false, lda, b, false, ldb, c, ldc, pool);
}

void row_sums(int64_t m, int64_t k, const void* a_ptr, bool a_signed, int64_t lda, int32_t* out) {
  const uint8_t* a = static_cast<const uint8_t*>(a_ptr);
  for (int64_t i = 0; i < m; ++i) {
    const uint8_t* row = a + i * lda;
    uint32_t s = 0;
    if (a_signed)
      for (int64_t kk = 0; kk < k; ++kk) s += static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(row[kk])));
    else
      for (int64_t kk = 0; kk < k; ++kk) s += row[kk];
    out[i] = static_cast<int32_t>(s);
  }
}

}  // namespace coda::exec::qgemm
