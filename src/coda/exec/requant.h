// Integer requantisation of int32 accumulators, as integer hardware does it (no floats at run time).
//
// Fixed point, the gemmlowp / TFLite rule: a real scale s is stored once as a Q0.31 multiplier M in
// [2^30, 2^31) and a shift e with s ~= M * 2^(e - 31) (quantize_multiplier, TFLite's
// QuantizeMultiplier); then
//   multiply_by_quantized_multiplier(x, M, e)
//     = rounding_divide_by_pot(saturating_rounding_doubling_high_mul(x * 2^max(e, 0), M), max(-e, 0))
// exactly as TFLite's MultiplyByQuantizedMultiplier (double rounding). The two roundings are:
//   saturating_rounding_doubling_high_mul(a, b) = floor(a * b / 2^31 + 1/2), i.e. round half up
//     (gemmlowp's nudge), and INT32_MAX for the one overflowing case a = b = INT32_MIN;
//   rounding_divide_by_pot(x, e) = x / 2^e rounded half away from zero.
// The left shift x * 2^e (e > 0) wraps modulo 2^32 like TFLite's int32 multiply on every target.
// Double rounding is part of the rule: 5 * 0.25 gives 2, not 1 (5 * 2^30 / 2^31 = 2.5 -> 3, 3 / 2 -> 2).
//
// Power of two (RAP's DQ-Q-free dataflow, specs/papers.md section 7(b): "all scales are powers of two
// ... so requantisation is a shift plus round"; the paper does not say how ties round):
//   shift_round(x, s) = floor(x / 2^s + 1/2) for s > 0: round half up, i.e. add 2^(s-1) and shift
//   arithmetically right, the cheapest rounding shifter; s <= 0 shifts left by -s, saturating to int32.
//
//   int32_t m; int e;
//   quantize_multiplier(x_scale * w_scale / y_scale, &m, &e);     // once per layer / channel
//   int32_t y = zp + multiply_by_quantized_multiplier(acc + bias, m, e);   // then clamp to [qmin, qmax]
//   int32_t y2 = zp + shift_round(acc, 7);                         // scale 2^-7
#pragma once
#include <cstdint>
#include <limits>

namespace coda::exec::requant {

// TFLite's QuantizeMultiplier: real = multiplier * 2^(shift - 31), multiplier in [2^30, 2^31) (or
// negative for a negative real). 0 and |real| below about 2^-32 give (0, 0). Throws InvalidError
// for a non-finite real or one at or above 2^31.
void quantize_multiplier(double real, int32_t* multiplier, int* shift);

// gemmlowp's SaturatingRoundingDoublingHighMul (see the top comment).
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::max();
  const int64_t ab = static_cast<int64_t>(a) * b;
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : 1 - (int64_t{1} << 30);
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));  // C++ division truncates
}

// gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded half away from zero, exponent in [0, 62].
inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int64_t mask = (int64_t{1} << exponent) - 1;
  const int64_t remainder = static_cast<int64_t>(x) & mask;
  const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<int32_t>((static_cast<int64_t>(x) >> exponent) + (remainder > threshold ? 1 : 0));
}

// TFLite's MultiplyByQuantizedMultiplier (double rounding), shift in [-62, 31].
inline int32_t multiply_by_quantized_multiplier(int32_t acc, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const int32_t x = left >= 32 ? 0 : static_cast<int32_t>(static_cast<uint32_t>(acc) << left);  // wraps
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(x, multiplier), right);
}

// The power-of-two path: round half up for shift > 0, saturating left shift for shift <= 0.
inline int32_t shift_round(int32_t acc, int shift) {
  if (shift > 0) {
    if (shift > 40) shift = 40;  // |acc| < 2^31: every shift beyond 32 gives 0 already
    return static_cast<int32_t>((static_cast<int64_t>(acc) + (int64_t{1} << (shift - 1))) >> shift);
  }
  if (acc == 0) return 0;
  const int left = -shift;
  const int32_t lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
  if (left >= 32) return acc < 0 ? lo : hi;
  const int64_t v = static_cast<int64_t>(acc) * (int64_t{1} << left);
  return v < lo ? lo : v > hi ? hi : static_cast<int32_t>(v);
}

}  // namespace coda::exec::requant
