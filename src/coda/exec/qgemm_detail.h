// The per-ISA kernels behind qgemm.h (one translation unit each, qgemm_kernel.inc). Kept apart from
// qgemm.h so the ISA-specific TUs see no std:: templates.
#pragma once
#include <cstdint>

namespace coda::exec::qgemm {

namespace detail {

// Register and cache blocking of one kernel: an mr x nr tile of C per micro-kernel call; C blocks of
// mc x nc; k in blocks of kc (a multiple of 4). A is packed per (mc, kc) block into mr-row panels,
// each k-group of 4 stored as 4 bytes (a_elem = 1) or 4 int16 (a_elem = 2) per row.
struct Geometry {
  int mr, nr, a_elem;
  int64_t kc, mc, nc;
};

struct MacroArgs {
  int64_t mc = 0, nc = 0;         // rows and columns of C in this block
  int64_t groups = 0;             // k-groups in this k block
  const void* a = nullptr;        // packed A block: ceil(mc / mr) panels of groups * mr * 4 elements
  const int8_t* b = nullptr;      // packed B, first panel of the block at this k block's first group
  int64_t b_panel_stride = 0;     // bytes from one B panel to the next
  int32_t* c = nullptr;
  int64_t ldc = 0;
  bool accumulate = false;        // C += product (later k blocks), else C = product + col_add + row_add
  const int32_t* col_add = nullptr;  // per column of the block, or null
  const int32_t* row_add = nullptr;  // per row of the block, or null
  bool b_unsigned = false;        // B uint8 and A int8 (true), or B int8 and A uint8
};

// Packs rows [0, rows) and k elements [0, kvalid) of A (row stride lda) into mr-row panels covering
// ceil(kvalid / 4) groups, each byte XOR flip, widened as int8 (a_signed) or uint8; zero padding.
using PackAFn = void (*)(int64_t rows, int64_t kvalid, const uint8_t* a, int64_t lda, uint8_t flip, bool a_signed,
                         void* dst);
using MacroFn = void (*)(const MacroArgs& args);

#define CODA_QGEMM_DECLARE(ns)                                                                      \
  namespace ns {                                                                                   \
  extern const Geometry geometry;                                                                  \
  void pack_a(int64_t rows, int64_t kvalid, const uint8_t* a, int64_t lda, uint8_t flip, bool a_signed, void* dst); \
  void macro(const MacroArgs& args);                                                               \
  }
CODA_QGEMM_DECLARE(qgemm_generic)
CODA_QGEMM_DECLARE(qgemm_avx2)
CODA_QGEMM_DECLARE(qgemm_avx512vnni)
#undef CODA_QGEMM_DECLARE

}  // namespace detail

}  // namespace coda::exec::qgemm
