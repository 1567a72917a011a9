// coda::exec::qgemm: exact 8-bit integer GEMM, C[m,n] = A[m,k] * B[k,n] with int32 accumulation
// that wraps modulo 2^32 (the scalar code's semantics; an int64 sum truncated to int32). Operands
// are uint8 or int8 in any mix; every product path gives the same bits:
//
//   Isa::Avx512Vnni  vpdpbusd (u8 x s8 -> s32, no saturation) on zmm, 6x64 register blocking
//   Isa::Avx2        bytes widened to int16 and vpmaddwd (never vpmaddubsw, which saturates)
//   Isa::Scalar      plain C++ loops, for any x86-64
//
// The kernels need one unsigned and one signed operand. A pair of the same signedness is mapped
// onto them by flipping the top bit of one operand (x + 128 for int8, x - 128 for uint8) and adding
// -/+ 128 times the other operand's sums: per column for A (sum_k B[k][j], kept with packed B), per
// row for B (sum_k A[i][k]); exact modulo 2^32. B is packed (k in groups of 4 bytes, panels of the
// kernel's width) once per call, or once for all calls with pack_b() when it holds weights. Work is
// split into C blocks that depend only on the shape, and integer sums are exact, so the bits never
// depend on the ISA or the thread count. At 1024^3 on one core the AVX-512 VNNI kernel runs at about
// oneDNN's VNNI speed (bench/qgemm_bench.cpp).
//
//   using namespace coda::exec::qgemm;
//   gemm_u8s8s32(best_isa(), m, n, k, a, k, b, n, c, n);           // a uint8 [m,k], b int8 [k,n]
//   PackedB w = pack_b(best_isa(), k, n, weights, n);              // int8 weights, packed once
//   gemm_u8s8s32_packed(m, x, k, w, y, n, &pool);                  // y = x * weights, any rows
//   const int32_t* s = w.col_sums();                               // sum_k B[k][j], for zero points
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "coda/core/thread_pool.h"
#include "coda/exec/qgemm_detail.h"

namespace coda::exec::qgemm {

enum class Isa { Scalar, Avx2, Avx512Vnni };

// The fastest kernel this CPU runs (checked with __builtin_cpu_supports once).
Isa best_isa();
bool isa_supported(Isa isa);
const char* isa_name(Isa isa);  // "scalar", "avx2", "avx512vnni"

// B [k,n] packed for one ISA's kernel, with its column sums. Immutable once packed; copies share the
// packed bytes. assign() repacks into the existing storage (no allocation when it is large enough).
class PackedB {
 public:
  PackedB() = default;
  Isa isa() const { return isa_; }
  int64_t k() const { return k_; }
  int64_t n() const { return n_; }
  bool is_signed() const { return signed_; }   // int8 (true) or uint8 (false) values
  bool empty() const { return n_ == 0; }
  // sum_k B[k][j] for j in [0, n) as int32 (wrapping), or null when packed without them.
  const int32_t* col_sums() const { return has_col_sums_ ? col_sums_.data() : nullptr; }

  // B is [k,n] with row stride ldb, or [n,k] with row stride ldb when trans_b (a weight matrix
  // stored output-channel-major, as in ONNX Gemm with transB = 1). flip stores every byte XOR 0x80
  // (B +- 128), which lets an A of B's own signedness run without column sums (the product is
  // corrected with A's row sums instead); col_sums = false skips the column sums. Both are for
  // activations packed per call (convolution); weights keep the defaults.
  void assign(Isa isa, int64_t k, int64_t n, const void* b, bool b_signed, int64_t ldb, bool trans_b = false,
              bool flip = false, bool col_sums = true);
  // The same with row r of B starting at rows[r] (n bytes each), e.g. shifted views of an image.
  void assign_rows(Isa isa, int64_t k, int64_t n, const uint8_t* const* rows, bool b_signed, bool flip = false,
                   bool col_sums = true);

  // Internal layout (for the kernels): panels of `nr` columns; panel p holds groups() k-groups of
  // nr * 4 bytes, byte (g * nr + j) * 4 + t being B[4g + t][p * nr + j] (XOR 0x80 if flipped()),
  // zero past k and n.
  bool flipped() const { return flipped_; }
  int64_t nr() const { return nr_; }
  int64_t groups() const { return groups_; }
  int64_t panel_bytes() const { return groups_ * nr_ * 4; }
  const int8_t* data() const { return data_.get(); }

 private:
  void prepare(Isa isa, int64_t k, int64_t n, bool b_signed, bool flip, bool col_sums);
  Isa isa_ = Isa::Scalar;
  int64_t k_ = 0, n_ = 0, nr_ = 1, groups_ = 0;
  bool signed_ = true, flipped_ = false, has_col_sums_ = false;
  size_t capacity_ = 0;
  std::shared_ptr<int8_t> data_;
  std::vector<int32_t> col_sums_;
};

PackedB pack_b(Isa isa, int64_t k, int64_t n, const int8_t* b, int64_t ldb, bool trans_b = false);
PackedB pack_b(Isa isa, int64_t k, int64_t n, const uint8_t* b, int64_t ldb, bool trans_b = false);

// C = A * B, A [m,k] with row stride lda, B [k,n] with row stride ldb, C [m,n] with row stride ldc.
// k == 0 writes zeros. pool may be null (run on the calling thread); nested calls from inside a pool
// task run serially.
void gemm_u8s8s32(Isa isa, int64_t m, int64_t n, int64_t k, const uint8_t* a, int64_t lda, const int8_t* b, int64_t ldb,
                  int32_t* c, int64_t ldc, ThreadPool* pool = nullptr);
void gemm_s8s8s32(Isa isa, int64_t m, int64_t n, int64_t k, const int8_t* a, int64_t lda, const int8_t* b, int64_t ldb,
                  int32_t* c, int64_t ldc, ThreadPool* pool = nullptr);
void gemm_s8u8s32(Isa isa, int64_t m, int64_t n, int64_t k, const int8_t* a, int64_t lda, const uint8_t* b, int64_t ldb,
                  int32_t* c, int64_t ldc, ThreadPool* pool = nullptr);
void gemm_u8u8s32(Isa isa, int64_t m, int64_t n, int64_t k, const uint8_t* a, int64_t lda, const uint8_t* b, int64_t ldb,
                  int32_t* c, int64_t ldc, ThreadPool* pool = nullptr);
// Signedness chosen at run time: a_signed / b_signed say whether the bytes are int8 or uint8.
void gemm_i8(Isa isa, int64_t m, int64_t n, int64_t k, const void* a, bool a_signed, int64_t lda, const void* b,
             bool b_signed, int64_t ldb, int32_t* c, int64_t ldc, ThreadPool* pool = nullptr);

// C = A * B + row_add[i] + col_add[j] with B packed (its ISA is used); A has b.k() columns;
// row_add (m values) and col_add (b.n() values) may be null. Needs b.col_sums() only when A has
// the signedness of B's stored bytes (int8 A with int8 B, uint8 A with uint8 B, unless B is flipped).
void gemm_packed(int64_t m, const void* a, bool a_signed, int64_t lda, const PackedB& b, int32_t* c, int64_t ldc,
                 ThreadPool* pool = nullptr, const int32_t* row_add = nullptr, const int32_t* col_add = nullptr);
inline void gemm_u8s8s32_packed(int64_t m, const uint8_t* a, int64_t lda, const PackedB& b, int32_t* c, int64_t ldc,
                                ThreadPool* pool = nullptr) {
  gemm_packed(m, a, false, lda, b, c, ldc, pool);
}
inline void gemm_s8s8s32_packed(int64_t m, const int8_t* a, int64_t lda, const PackedB& b, int32_t* c, int64_t ldc,
                                ThreadPool* pool = nullptr) {
  gemm_packed(m, a, true, lda, b, c, ldc, pool);
}

// out[i] = sum_k A[i][k] (int32), the row sums zero-point corrections need.
void row_sums(int64_t m, int64_t k, const void* a, bool a_signed, int64_t lda, int32_t* out);

}  // namespace coda::exec::qgemm
