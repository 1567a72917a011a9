#include "coda/quant/minifloat.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "coda/core/error.h"

namespace coda::quant {

namespace {

// {E, M, bias, max, inf, nan, emax}
const MiniFloatSpec kSpecs[] = {
    {4, 3, 7, 448.0, false, true, 8},       // E4M3 fn: 1.75 * 2^8
    {5, 2, 15, 57344.0, true, true, 15},    // E5M2: 1.75 * 2^15
    {3, 2, 3, 28.0, false, false, 4},       // FP6 E3M2: 1.75 * 2^4
    {2, 3, 1, 7.5, false, false, 2},        // FP6 E2M3: 1.875 * 2^2
    {2, 1, 1, 6.0, false, false, 2},        // FP4 E2M1: 1.5 * 2^2
};

uint8_t nan_code(const MiniFloatSpec& s) {
  // E4M3: S.1111.111; E5M2: S.11111.11 (a quiet NaN); both are "all ones".
  return static_cast<uint8_t>((1u << (s.total_bits() - 1)) - 1);
}
uint8_t inf_code(const MiniFloatSpec& s) { return static_cast<uint8_t>(((1u << s.exponent_bits) - 1) << s.mantissa_bits); }

// Bits of an exactly representable magnitude q >= 0.
uint8_t magnitude_bits(double q, const MiniFloatSpec& s) {
  if (q == 0) return 0;
  const int emin = 1 - s.bias;
  int e2 = 0;
  std::frexp(q, &e2);
  const int e = e2 - 1;  // q = 1.f * 2^e
  if (e < emin) {        // subnormal: q = m * 2^(emin - M)
    double m = std::ldexp(q, s.mantissa_bits - emin);
    return static_cast<uint8_t>(m);
  }
  double m = (std::ldexp(q, -e) - 1.0) * (1 << s.mantissa_bits);
  return static_cast<uint8_t>(((e + s.bias) << s.mantissa_bits) | static_cast<int>(m));
}

}  // namespace

const MiniFloatSpec& minifloat_spec(MiniFloat f) { return kSpecs[static_cast<int>(f)]; }

const char* minifloat_name(MiniFloat f) {
  static const char* names[] = {"e4m3", "e5m2", "e3m2", "e2m3", "e2m1"};
  return names[static_cast<int>(f)];
}

uint8_t encode_minifloat(float x, MiniFloat f, bool saturate) {
  const MiniFloatSpec& s = minifloat_spec(f);
  const uint8_t sign = std::signbit(x) ? static_cast<uint8_t>(1u << (s.total_bits() - 1)) : 0;
  if (std::isnan(x)) return s.has_nan ? static_cast<uint8_t>(sign | nan_code(s)) : 0;
  const double a = std::fabs(static_cast<double>(x));
  const bool specials_on_overflow = !saturate && (s.has_inf || s.has_nan);
  auto overflow = [&]() -> uint8_t {
    if (!specials_on_overflow) return static_cast<uint8_t>(sign | magnitude_bits(s.max_value, s));
    return static_cast<uint8_t>(sign | (s.has_inf ? inf_code(s) : nan_code(s)));
  };
  if (std::isinf(a)) return overflow();
  int e2 = 0;
  std::frexp(a, &e2);
  const int e = std::max(e2 - 1, 1 - s.bias);              // binade (subnormals share emin's quantum)
  const double quantum = std::ldexp(1.0, e - s.mantissa_bits);
  const double q = std::nearbyint(a / quantum) * quantum;  // exact in double; default mode is ties-to-even
  if (q > s.max_value) return overflow();
  return static_cast<uint8_t>(sign | magnitude_bits(q, s));
}

float decode_minifloat(uint8_t code, MiniFloat f) {
  const MiniFloatSpec& s = minifloat_spec(f);
  const int nbits = s.total_bits();
  code = static_cast<uint8_t>(code & ((1u << nbits) - 1));
  const bool neg = (code >> (nbits - 1)) & 1;
  const int efield = (code >> s.mantissa_bits) & ((1 << s.exponent_bits) - 1);
  const int mfield = code & ((1 << s.mantissa_bits) - 1);
  const int eall = (1 << s.exponent_bits) - 1, mall = (1 << s.mantissa_bits) - 1;
  double v;
  if (s.has_inf && efield == eall) {
    v = mfield == 0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  } else if (!s.has_inf && s.has_nan && efield == eall && mfield == mall) {
    v = std::numeric_limits<double>::quiet_NaN();
  } else if (efield == 0) {
    v = std::ldexp(static_cast<double>(mfield), 1 - s.bias - s.mantissa_bits);
  } else {
    v = std::ldexp(1.0 + static_cast<double>(mfield) / (1 << s.mantissa_bits), efield - s.bias);
  }
  return static_cast<float>(neg ? -v : v);
}

}  // namespace coda::quant
