// Picks the vector math implementation for this CPU once.
#include "coda/exec/vecmath.h"

#include "coda/exec/gemm.h"

namespace coda::exec::kern {

namespace {
const VecMath& best() {
  static const VecMath& t = best_gemm_isa() == GemmIsa::avx512 ? vecmath_avx512::table
                            : best_gemm_isa() == GemmIsa::avx2  ? vecmath_avx2::table
                                                                : vecmath_generic::table;
  return t;
}
}  // namespace

void vexp(const float* x, float* y, int64_t n) { best().exp(x, y, n); }
void verf(const float* x, float* y, int64_t n) { best().erf(x, y, n); }
void vtanh(const float* x, float* y, int64_t n) { best().tanh(x, y, n); }
void vsigmoid(const float* x, float* y, int64_t n) { best().sigmoid(x, y, n); }
void vgelu(const float* x, float* y, int64_t n) { best().gelu(x, y, n); }
void vgelu_tanh(const float* x, float* y, int64_t n) { best().gelu_tanh(x, y, n); }

}  // namespace coda::exec::kern
