// Pieces shared by the quantized kernels: zero-point / scale parameters (per tensor or per
// channel) and ONNX Runtime's requantisation (float scale, clamp, round half to even, add zero
// point). The integer products themselves are int_ops.h / qgemm.h.
//
//   QuantZeroPoint zp = zero_point_input(node, in, 2, "x_zero_point", 1, x.dtype());
//   require_byte_zero_point(node, zp, "x_zero_point");     // uint8 / int8 only
//   int32_t q = requantize(acc, x_scale * w_scale / y_scale, y_zp, 0, 255);
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

// Rejects a zero point whose dtype is not uint8 / int8 (UnsupportedError).
void require_byte_zero_point(const Node& n, const QuantZeroPoint& zp, const char* what);

// ONNX Runtime's requantisation of an int32 accumulator to [qmin, qmax]: float(acc) * scale, clamped,
// rounded half to even. When the clamped range lies within +-2^22 the rounding is done by adding and
// subtracting 1.5 * 2^23 (the same result as nearbyint under the default rounding mode, without the
// libm call, so loops over it vectorise).
inline int32_t requantize(int32_t acc, float scale, int32_t zero_point, int32_t qmin, int32_t qmax) {
  float v = static_cast<float>(acc) * scale;
  const float lo = static_cast<float>(qmin - zero_point), hi = static_cast<float>(qmax - zero_point);
  v = v > lo ? v : lo;  // NaN -> lo, as MLAS's max/min do
  v = v < hi ? v : hi;
  constexpr float kMagic = 12582912.f, kExactLimit = 4194304.f;  // 1.5 * 2^23, 2^22
  if (lo > -kExactLimit && hi < kExactLimit) return static_cast<int32_t>((v + kMagic) - kMagic) + zero_point;
  return static_cast<int32_t>(std::nearbyint(v)) + zero_point;
}

// requantize(acc[i] + bias) for i in [0, count) into out (uint8 / int8 / ...), bias added wrapping.
template <class T>
void requantize_run(const int32_t* acc, int64_t count, int32_t bias, float scale, int32_t zero_point, int32_t qmin,
                    int32_t qmax, T* out) {
  const float lo = static_cast<float>(qmin - zero_point), hi = static_cast<float>(qmax - zero_point);
  constexpr float kMagic = 12582912.f, kExactLimit = 4194304.f;
  if (!(lo > -kExactLimit && hi < kExactLimit)) {
    for (int64_t i = 0; i < count; ++i)
      out[i] = static_cast<T>(requantize(static_cast<int32_t>(static_cast<uint32_t>(acc[i]) + static_cast<uint32_t>(bias)),
                                         scale, zero_point, qmin, qmax));
    return;
  }
  for (int64_t i = 0; i < count; ++i) {
    float v = static_cast<float>(static_cast<int32_t>(static_cast<uint32_t>(acc[i]) + static_cast<uint32_t>(bias))) * scale;
    v = v > lo ? v : lo;
    v = v < hi ? v : hi;
    out[i] = static_cast<T>(static_cast<int32_t>((v + kMagic) - kMagic) + zero_point);
  }
}

// The range of a quantized dtype (u8 / i8; also u16 / i16 / i32 for completeness).
void quant_range(const Node& n, DType t, int32_t& qmin, int32_t& qmax);

}  // namespace coda::exec::kern
