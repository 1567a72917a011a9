// Picks the int32 GEMM kernel for this CPU once.
#include "coda/exec/igemm.h"

#include "coda/exec/gemm.h"

namespace coda::exec::kern {

IgemmFn best_igemm() {
  static const IgemmFn fn = best_gemm_isa() == GemmIsa::avx512 ? igemm_avx512::igemm_rows
                            : best_gemm_isa() == GemmIsa::avx2  ? igemm_avx2::igemm_rows
                                                                : igemm_generic::igemm_rows;
  return fn;
}

}  // namespace coda::exec::kern
