// Pieces shared by the quantized kernels: zero-point / scale parameters (per tensor or per
// channel), conversion of uint8 / int8 data to int16 with the zero point subtracted, the int32
// GEMM, and ONNX Runtime's requantisation (float scale, clamp, round half to even, add zero point).
//
//   QuantParam zp = quant_param(node, in, 2, "x_zero_point", channels);
//   std::vector<int16_t> a = centered_i16(node, x, zp, /*axis_stride=*/inner, /*channels=*/c);
//   igemm({m, n, k}, a.data(), k, b.data(), n, acc.data(), n, ctx);
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "coda/exec/kernel_util.h"

namespace coda::exec::kern {

// A zero point (or a scale) for one tensor: one value, or one per channel.
struct QuantZeroPoint {
  std::vector<int32_t> values{0};  // size 1 (per tensor) or channels
  DType dtype = DType::u8;         // the zero point's dtype (the quantized type), u8 when absent
  int32_t at(int64_t c) const { return values.size() == 1 ? values[0] : values[static_cast<size_t>(c)]; }
};
struct QuantScale {
  std::vector<float> values{1.f};
  float at(int64_t c) const { return values.size() == 1 ? values[0] : values[static_cast<size_t>(c)]; }
};

// Input k as a zero point of 1 or `channels` values (absent: 0 of dtype `dflt`).
QuantZeroPoint zero_point_input(const Node& n, const Inputs& in, size_t k, const char* what, int64_t channels,
                                DType dflt = DType::u8);
// Input k as a float scale of 1 or `channels` positive values.
QuantScale scale_input(const Node& n, const Inputs& in, size_t k, const char* what, int64_t channels);

// x (uint8 or int8) minus its zero point as int16; element i uses channel (i / inner) % channels.
std::vector<int16_t> centered_i16(const Node& n, const Tensor& x, const QuantZeroPoint& zp, int64_t inner,
                                  int64_t channels);

// C[m,n] = A[m,k] * B[k,n] in int32 (wrapping), row-major with leading dimensions.
void igemm(int64_t m, int64_t n, int64_t k, const int16_t* a, int64_t lda, const int16_t* b, int64_t ldb, int32_t* c,
           int64_t ldc, KernelContext& ctx);

// ONNX Runtime's requantisation of an int32 accumulator to [qmin, qmax].
inline int32_t requantize(int32_t acc, float scale, int32_t zero_point, int32_t qmin, int32_t qmax) {
  float v = static_cast<float>(acc) * scale;
  const float lo = static_cast<float>(qmin - zero_point), hi = static_cast<float>(qmax - zero_point);
  v = v > lo ? v : lo;  // NaN -> lo, as MLAS's max/min do
  v = v < hi ? v : hi;
  return static_cast<int32_t>(std::nearbyint(v)) + zero_point;
}

// The range of a quantized dtype (u8 / i8; also u16 / i16 / i32 for completeness).
void quant_range(const Node& n, DType t, int32_t& qmin, int32_t& qmax);

}  // namespace coda::exec::kern
