#include "coda/quant/dynamic_quant.h"

#include <algorithm>
#include <cmath>

namespace coda::quant {

Tensor quantize_dynamic_per_row(const Tensor& x, int bits, float clip_ratio, bool asymmetric) {
  const char* where = "dynamic per-row quantize";
  if (x.dtype() != DType::f32 || x.rank() == 0)
    throw InvalidError(where, "needs a float32 tensor of rank >= 1, got " + std::string(dtype_name(x.dtype())) + " " +
                                  shape_str(x.shape()));
  if (bits < 2 || bits > 16) throw InvalidError(where, format("bit width %d is unsupported (2..16)", bits));
  if (!(clip_ratio > 0 && clip_ratio <= 1)) throw InvalidError(where, format("clip ratio %g is outside (0, 1]", clip_ratio));
  const int64_t n = x.dim(-1), rows = n == 0 ? 0 : x.numel() / n;
  Tensor out(DType::f32, x.shape());
  const float* xs = x.data<float>();
  float* o = out.data<float>();
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = xs + r * n;
    float lo = 0, hi = 0;
    for (int64_t j = 0; j < n; ++j) lo = std::min(lo, row[j]), hi = std::max(hi, row[j]);
    lo *= clip_ratio;
    hi *= clip_ratio;
    float scale, zero = 0, qlo, qhi;
    if (asymmetric) {
      if (lo == 0 && hi == 0) lo = -1, hi = 1;
      scale = (hi - lo) / static_cast<float>((int64_t{1} << bits) - 1);
      zero = std::nearbyint(-lo / scale);
      qlo = 0, qhi = static_cast<float>((int64_t{1} << bits) - 1);
    } else {
      hi = std::max(std::fabs(lo), hi);
      const float maxq = static_cast<float>((int64_t{1} << (bits - 1)) - 1);
      scale = hi == 0 ? 1.f : hi / maxq;
      qlo = -maxq - 1, qhi = maxq;
    }
    for (int64_t j = 0; j < n; ++j) {
      const float q = std::clamp(std::nearbyint(row[j] / scale) + zero, qlo, qhi);
      o[r * n + j] = scale * (q - zero);
    }
  }
  return out;
}

}  // namespace coda::quant
