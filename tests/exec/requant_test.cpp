// Requantisation against exact rational arithmetic in __int128 (brute force over random and edge
// values) and hand-computed cases, including gemmlowp's double rounding and INT32_MIN saturation.
#include "coda/exec/requant.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "coda/core/error.h"

namespace coda::exec::requant {
namespace {

using i128 = __int128;
constexpr int32_t kMin = std::numeric_limits<int32_t>::min(), kMax = std::numeric_limits<int32_t>::max();

// floor(num / 2^e) for any sign, e >= 0.
i128 floor_div_pow2(i128 num, int e) {
  const i128 d = static_cast<i128>(1) << e;
  i128 q = num / d;
  if (num % d != 0 && num < 0) --q;
  return q;
}
// num / 2^e rounded half up: floor(num / 2^e + 1/2) = floor((2 num + 2^e) / 2^(e+1)).
i128 round_half_up(i128 num, int e) { return floor_div_pow2(2 * num + (static_cast<i128>(1) << e), e + 1); }
// num / 2^e rounded half away from zero.
i128 round_half_away(i128 num, int e) { return num >= 0 ? round_half_up(num, e) : -round_half_up(-num, e); }
i128 saturate(i128 v) { return v < kMin ? kMin : v > kMax ? kMax : v; }

// The rule of requant.h stated in exact arithmetic.
int32_t srdhm_exact(int32_t a, int32_t b) { return static_cast<int32_t>(saturate(round_half_up(static_cast<i128>(a) * b, 31))); }
int32_t rdbpot_exact(int32_t x, int e) { return static_cast<int32_t>(round_half_away(x, e)); }
int32_t mbqm_exact(int32_t x, int32_t m, int shift) {
  const int left = std::max(shift, 0), right = std::max(-shift, 0);
  // x * 2^left modulo 2^32, as a signed int32
  const uint64_t wrapped = (static_cast<uint64_t>(static_cast<uint32_t>(x)) << left) & 0xffffffffu;
  const int32_t xl = static_cast<int32_t>(static_cast<uint32_t>(wrapped));
  return rdbpot_exact(srdhm_exact(xl, m), right);
}

std::vector<int32_t> edge_values() {
  return {0, 1, -1, 2, -2, 3, -3, 5, -5, (1 << 15), -(1 << 15), (1 << 30), -(1 << 30), kMax, kMin, kMax - 1, kMin + 1,
          123456789, -123456789};
}

TEST(Requant, SaturatingRoundingDoublingHighMulMatchesExactRoundingHalfUp) {
  std::mt19937 rng(1);
  std::uniform_int_distribution<int32_t> any(kMin, kMax), small(-70000, 70000);
  std::vector<int32_t> vals = edge_values();
  for (int i = 0; i < 200; ++i) vals.push_back(any(rng));
  for (int i = 0; i < 100; ++i) vals.push_back(small(rng));
  for (int32_t a : vals)
    for (int32_t b : vals) ASSERT_EQ(saturating_rounding_doubling_high_mul(a, b), srdhm_exact(a, b)) << a << " * " << b;
  // The one saturating case, and ties: -2^15 * 2^15 / 2^31 = -0.5 rounds up to 0, +0.5 to 1.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, kMin), kMax);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, kMax), kMin + 1);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-(1 << 15), 1 << 15), 0);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(1 << 15, 1 << 15), 1);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-3 * (1 << 15), 1 << 15), -1);  // -1.5 -> -1
}

TEST(Requant, RoundingDivideByPotRoundsHalfAwayFromZero) {
  std::mt19937 rng(2);
  std::uniform_int_distribution<int32_t> any(kMin, kMax);
  std::vector<int32_t> vals = edge_values();
  for (int i = 0; i < 2000; ++i) vals.push_back(any(rng));
  for (int32_t x : vals)
    for (int e = 0; e <= 31; ++e) ASSERT_EQ(rounding_divide_by_pot(x, e), rdbpot_exact(x, e)) << x << " >> " << e;
  EXPECT_EQ(rounding_divide_by_pot(5, 1), 3);
  EXPECT_EQ(rounding_divide_by_pot(-5, 1), -3);
  EXPECT_EQ(rounding_divide_by_pot(-6, 2), -2);  // -1.5
  EXPECT_EQ(rounding_divide_by_pot(-5, 2), -1);  // -1.25
  EXPECT_EQ(rounding_divide_by_pot(kMin, 31), -1);
  EXPECT_EQ(rounding_divide_by_pot(kMax, 31), 1);
}

TEST(Requant, MultiplyByQuantizedMultiplierMatchesExactRule) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int32_t> any(kMin, kMax), acc(-(1 << 20), 1 << 20), mult(1 << 30, kMax);
  std::uniform_int_distribution<int> sh(-31, 8);
  for (int i = 0; i < 200000; ++i) {
    const int32_t x = i % 2 ? any(rng) : acc(rng), m = i % 7 ? mult(rng) : any(rng);
    const int s = sh(rng);
    ASSERT_EQ(multiply_by_quantized_multiplier(x, m, s), mbqm_exact(x, m, s)) << x << " " << m << " " << s;
  }
  for (int32_t x : edge_values())
    for (int32_t m : edge_values())
      for (int s : {-31, -5, -1, 0, 1, 5, 30, 31}) ASSERT_EQ(multiply_by_quantized_multiplier(x, m, s), mbqm_exact(x, m, s));
}

TEST(Requant, MultiplyByQuantizedMultiplierHandWorked) {
  int32_t m;
  int e;
  quantize_multiplier(0.25, &m, &e);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(e, -1);
  EXPECT_EQ(multiply_by_quantized_multiplier(1000, m, e), 250);
  EXPECT_EQ(multiply_by_quantized_multiplier(5, m, e), 2);   // double rounding: 2.5 -> 3, then 1.5 -> 2
  EXPECT_EQ(multiply_by_quantized_multiplier(-5, m, e), -1); // -2.5 -> -2 (half up), then -1
  EXPECT_EQ(multiply_by_quantized_multiplier(6, m, e), 2);   // 3 -> 3, 1.5 -> 2
  quantize_multiplier(3.0, &m, &e);                          // 0.75 * 2^2
  EXPECT_EQ(m, 3 << 29);
  EXPECT_EQ(e, 2);
  EXPECT_EQ(multiply_by_quantized_multiplier(7, m, e), 21);
  EXPECT_EQ(multiply_by_quantized_multiplier(-1000, m, e), -3000);
  // left shift wraps modulo 2^32 (TFLite's x * (1 << left_shift))
  EXPECT_EQ(multiply_by_quantized_multiplier(1 << 30, 1 << 30, 2), 0);
  EXPECT_EQ(multiply_by_quantized_multiplier(kMin, kMin, 0), kMax);
}

TEST(Requant, QuantizeMultiplierIsTfliteRule) {
  std::mt19937 rng(4);
  std::uniform_real_distribution<double> lg(-30, 20);
  for (int i = 0; i < 20000; ++i) {
    const double real = std::exp2(lg(rng));
    int32_t m;
    int e;
    quantize_multiplier(real, &m, &e);
    ASSERT_GE(m, 1 << 30);
    ASSERT_LE(int64_t{m}, int64_t{kMax});
    // m is the nearest integer to real * 2^(31 - e)
    const double scaled = std::ldexp(real, 31 - e);
    ASSERT_LE(std::fabs(scaled - m), 0.5 + 1e-6) << real;
  }
  int32_t m;
  int e;
  quantize_multiplier(1.0, &m, &e);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(e, 1);
  quantize_multiplier(0.5, &m, &e);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(e, 0);
  quantize_multiplier(1.0 - std::ldexp(1.0, -40), &m, &e);  // rounds up to 2^31: halved, shift + 1
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(e, 1);
  quantize_multiplier(0.0, &m, &e);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(e, 0);
  quantize_multiplier(std::ldexp(1.0, -40), &m, &e);  // below 2^-32: flushed to zero
  EXPECT_EQ(m, 0);
  EXPECT_EQ(e, 0);
  quantize_multiplier(-0.75, &m, &e);
  EXPECT_EQ(m, -(3 << 29));
  EXPECT_EQ(e, 0);
  EXPECT_THROW(quantize_multiplier(NAN, &m, &e), InvalidError);
  EXPECT_THROW(quantize_multiplier(INFINITY, &m, &e), InvalidError);
  EXPECT_THROW(quantize_multiplier(std::ldexp(1.0, 40), &m, &e), InvalidError);
}

TEST(Requant, ShiftRoundMatchesExactRoundHalfUpAndSaturatingLeftShift) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int32_t> any(kMin, kMax);
  std::vector<int32_t> vals = edge_values();
  for (int i = 0; i < 3000; ++i) vals.push_back(any(rng));
  for (int32_t x : vals) {
    for (int s = 1; s <= 45; ++s) ASSERT_EQ(shift_round(x, s), static_cast<int32_t>(round_half_up(x, s))) << x << " " << s;
    for (int s = 0; s >= -40; --s) {
      const i128 want = saturate(static_cast<i128>(x) * (static_cast<i128>(1) << -s));
      ASSERT_EQ(shift_round(x, s), static_cast<int32_t>(want)) << x << " " << s;
    }
  }
  EXPECT_EQ(shift_round(5, 1), 3);    // 2.5 -> 3
  EXPECT_EQ(shift_round(-5, 1), -2);  // -2.5 -> -2 (half up)
  EXPECT_EQ(shift_round(7, 2), 2);    // 1.75
  EXPECT_EQ(shift_round(-7, 2), -2);
  EXPECT_EQ(shift_round(100, 0), 100);
  EXPECT_EQ(shift_round(3, -2), 12);
  EXPECT_EQ(shift_round(kMax, -1), kMax);
  EXPECT_EQ(shift_round(kMin, -1), kMin);
  EXPECT_EQ(shift_round(kMin, 31), -1);
  EXPECT_EQ(shift_round(kMin, 32), 0);  // -0.5 -> 0
}

}  // namespace
}  // namespace coda::exec::requant
