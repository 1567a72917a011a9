// The shared power-of-two scale of MX and SMX blocks (OCP Microscaling v1.0, section 6.3).
//
// shared_exp = floor(log2(amax)) - emax_elem, clamped to the E8M0 range [-127, 127]; an all-zero block
// gets -127 (E8M0 code 0x00). A block holding NaN or +-inf gets a NaN scale (E8M0 0xFF), so every
// element dequantizes to NaN.
//
//   float s = shared_block_scale(3.0f, 2);   // MXFP4 (emax 2): floor(log2 3) - 2 = -1 -> 0.5
#pragma once
#include <cmath>
#include <limits>

namespace coda::quant {

inline int shared_exponent(float amax, int emax_elem) {
  if (!(amax > 0)) return -127;
  int e2 = 0;
  std::frexp(amax, &e2);  // amax = f * 2^e2, f in [0.5, 1): floor(log2 amax) = e2 - 1
  int e = e2 - 1 - emax_elem;
  return e < -127 ? -127 : e > 127 ? 127 : e;
}

inline float shared_block_scale(float amax, int emax_elem) {
  if (std::isnan(amax) || std::isinf(amax)) return std::numeric_limits<float>::quiet_NaN();
  return std::ldexp(1.0f, shared_exponent(amax, emax_elem));
}

}  // namespace coda::quant
