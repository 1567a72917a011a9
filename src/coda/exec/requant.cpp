// quantize_multiplier: TFLite's QuantizeMultiplier (tensorflow/lite/kernels/internal/quantization_util.cc),
// with a one-line error instead of an abort for scales no int32 multiplier can hold.
#include "coda/exec/requant.h"

#include <cmath>

#include "coda/core/error.h"

namespace coda::exec::requant {

void quantize_multiplier(double real, int32_t* multiplier, int* shift) {
  if (!std::isfinite(real)) throw InvalidError("quantize_multiplier", format("scale %g is not finite", real));
  if (real == 0.) {
    *multiplier = 0;
    *shift = 0;
    return;
  }
  int e = 0;
  const double q = std::frexp(real, &e);  // real = q * 2^e, 0.5 <= |q| < 1
  int64_t q_fixed = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  if (q_fixed == (int64_t{1} << 31)) {  // q rounded up to 1 (a negative q may reach -2^31, which fits)
    q_fixed /= 2;
    ++e;
  }
  if (e > 31) throw InvalidError("quantize_multiplier", format("scale %g is too large (>= 2^31)", real));
  if (e < -31) {  // every bit would be shifted out: flush to zero, as TFLite does
    e = 0;
    q_fixed = 0;
  }
  *multiplier = static_cast<int32_t>(q_fixed);
  *shift = e;
}

}  // namespace coda::exec::requant
