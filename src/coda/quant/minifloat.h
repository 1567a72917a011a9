// Bit-exact encode/decode of the small floating-point element formats: FP8 E4M3 / E5M2 (OCP OFP8 v1.0)
// and the OCP Microscaling element formats FP6 E3M2 / E2M3 and FP4 E2M1.
//
// Encoding rounds to nearest, ties to even. E4M3 is the "fn" variant (no infinities, max 448, NaN is
// S.1111.111); E5M2 is IEEE-like (max 57344, infinities, NaN = exponent all ones + mantissa != 0).
// With saturate, overflow and +-inf give +-max; without it, E5M2 overflows to +-inf and E4M3 to NaN.
// FP6/FP4 have neither inf nor NaN and always saturate; a NaN input encodes as +0 there (MX carries
// NaN in the shared scale instead).
//
//   uint8_t c = encode_fp8(448.f, Fp8Kind::E4M3, /*saturate=*/true);   // 0x7E
//   float v = decode_fp8(c, Fp8Kind::E4M3);                               // 448
//   uint8_t f4 = encode_minifloat(2.5f, MiniFloat::E2M1, true);           // tie -> 2.0 (0b0100)
#pragma once
#include <cstdint>

namespace coda::quant {

enum class Fp8Kind { E4M3, E5M2 };
enum class MiniFloat { E4M3, E5M2, E3M2, E2M3, E2M1 };

struct MiniFloatSpec {
  int exponent_bits, mantissa_bits, bias;
  double max_value;  // largest finite magnitude
  bool has_inf;      // IEEE-like infinities (E5M2 only)
  bool has_nan;      // E4M3 (S.1111.111) and E5M2 (S.11111.xx, xx != 0)
  int emax;          // exponent of max_value: floor(log2(max_value))
  int total_bits() const { return 1 + exponent_bits + mantissa_bits; }
};

const MiniFloatSpec& minifloat_spec(MiniFloat f);
const char* minifloat_name(MiniFloat f);  // "e4m3", "e2m1", ...

uint8_t encode_minifloat(float x, MiniFloat f, bool saturate);
float decode_minifloat(uint8_t code, MiniFloat f);  // uses the low total_bits() bits of code

inline MiniFloat to_minifloat(Fp8Kind k) { return k == Fp8Kind::E4M3 ? MiniFloat::E4M3 : MiniFloat::E5M2; }
inline uint8_t encode_fp8(float x, Fp8Kind k, bool saturate) { return encode_minifloat(x, to_minifloat(k), saturate); }
inline float decode_fp8(uint8_t code, Fp8Kind k) { return decode_minifloat(code, to_minifloat(k)); }

}  // namespace coda::quant
