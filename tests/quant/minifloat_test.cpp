// FP8 E4M3 / E5M2 and the MX FP6/FP4 element formats: exhaustive code checks and hand-computed values.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "coda/quant/minifloat.h"

using namespace coda::quant;

namespace {

int nan_count(MiniFloat f) {
  int n = 0;
  for (int c = 0; c < (1 << minifloat_spec(f).total_bits()); ++c) n += std::isnan(decode_minifloat(static_cast<uint8_t>(c), f));
  return n;
}

// Brute force: the finite code nearest to x, ties to the even code (even mantissa), saturating.
uint8_t nearest_code(float x, MiniFloat f) {
  const int n = 1 << minifloat_spec(f).total_bits();
  int best = -1;
  double best_d = INFINITY;
  for (int c = 0; c < n; ++c) {
    const float v = decode_minifloat(static_cast<uint8_t>(c), f);
    if (!std::isfinite(v) || std::signbit(v) != std::signbit(x)) continue;
    const double d = std::fabs(static_cast<double>(v) - x);
    if (d < best_d || (d == best_d && (c & 1) == 0)) best_d = d, best = c;
  }
  return static_cast<uint8_t>(best);
}

}  // namespace

TEST(Fp8, E4M3HandValues) {
  EXPECT_EQ(encode_fp8(448.f, Fp8Kind::E4M3, false), 0x7E);      // 0 1111 110 = 1.75 * 2^8
  EXPECT_EQ(encode_fp8(240.f, Fp8Kind::E4M3, false), 0x77);      // 0 1110 111 = 1.875 * 2^7
  EXPECT_EQ(encode_fp8(1.f, Fp8Kind::E4M3, false), 0x38);        // 0 0111 000
  EXPECT_EQ(encode_fp8(-2.f, Fp8Kind::E4M3, false), 0xC0);       // 1 1000 000
  EXPECT_EQ(encode_fp8(std::ldexp(1.f, -9), Fp8Kind::E4M3, false), 0x01);  // smallest subnormal 2^(1-7-3)
  EXPECT_EQ(encode_fp8(7 * std::ldexp(1.f, -9), Fp8Kind::E4M3, false), 0x07);  // largest subnormal
  EXPECT_EQ(encode_fp8(std::ldexp(1.f, -6), Fp8Kind::E4M3, false), 0x08);  // smallest normal
  EXPECT_EQ(decode_fp8(0x7E, Fp8Kind::E4M3), 448.f);
  EXPECT_EQ(decode_fp8(0x01, Fp8Kind::E4M3), std::ldexp(1.f, -9));
  EXPECT_TRUE(std::isnan(decode_fp8(0x7F, Fp8Kind::E4M3)));
  EXPECT_TRUE(std::isnan(decode_fp8(0xFF, Fp8Kind::E4M3)));
  EXPECT_EQ(decode_fp8(0x78, Fp8Kind::E4M3), 256.f);  // S.1111.000 is a number in the fn variant
  EXPECT_EQ(nan_count(MiniFloat::E4M3), 2);
}

TEST(Fp8, E4M3RoundingTiesToEven) {
  EXPECT_EQ(encode_fp8(1.0625f, Fp8Kind::E4M3, false), 0x38);  // 1 + 1/16: halfway 1.0 | 1.125 -> 1.0 (even)
  EXPECT_EQ(encode_fp8(1.1875f, Fp8Kind::E4M3, false), 0x3A);  // 1 + 3/16: halfway 1.125 | 1.25 -> 1.25 (even)
  EXPECT_EQ(encode_fp8(1.07f, Fp8Kind::E4M3, false), 0x39);    // above the tie -> 1.125
  EXPECT_EQ(encode_fp8(std::ldexp(1.f, -10), Fp8Kind::E4M3, false), 0x00);      // half the smallest subnormal -> 0
  EXPECT_EQ(encode_fp8(3 * std::ldexp(1.f, -10), Fp8Kind::E4M3, false), 0x02);  // 1.5 subnormal quanta -> 2
  EXPECT_EQ(encode_fp8(15.5f, Fp8Kind::E4M3, false), 0x58);    // halfway 15 | 16 -> 16 = 0 1011 000 (even)
}

TEST(Fp8, E4M3OverflowAndSaturation) {
  EXPECT_EQ(encode_fp8(464.f, Fp8Kind::E4M3, false), 0x7E);  // halfway 448 | (480 = NaN slot) -> 448 (even)
  EXPECT_EQ(encode_fp8(465.f, Fp8Kind::E4M3, false), 0x7F);  // rounds past 448 -> NaN without saturation
  EXPECT_EQ(encode_fp8(465.f, Fp8Kind::E4M3, true), 0x7E);
  EXPECT_EQ(encode_fp8(-1e6f, Fp8Kind::E4M3, true), 0xFE);
  EXPECT_EQ(encode_fp8(INFINITY, Fp8Kind::E4M3, true), 0x7E);
  EXPECT_EQ(encode_fp8(INFINITY, Fp8Kind::E4M3, false), 0x7F);
  EXPECT_EQ(encode_fp8(NAN, Fp8Kind::E4M3, true) & 0x7F, 0x7F);
}

TEST(Fp8, E5M2HandValues) {
  EXPECT_EQ(encode_fp8(57344.f, Fp8Kind::E5M2, false), 0x7B);  // 0 11110 11 = 1.75 * 2^15
  EXPECT_EQ(encode_fp8(1.f, Fp8Kind::E5M2, false), 0x3C);      // 0 01111 00
  EXPECT_EQ(encode_fp8(std::ldexp(1.f, -16), Fp8Kind::E5M2, false), 0x01);  // smallest subnormal 2^(1-15-2)
  EXPECT_EQ(encode_fp8(std::ldexp(1.f, -14), Fp8Kind::E5M2, false), 0x04);  // smallest normal
  EXPECT_EQ(encode_fp8(1.125f, Fp8Kind::E5M2, false), 0x3C);   // halfway 1.0 | 1.25 -> 1.0 (even)
  EXPECT_EQ(encode_fp8(1.375f, Fp8Kind::E5M2, false), 0x3E);   // halfway 1.25 | 1.5 -> 1.5 (even)
  EXPECT_EQ(encode_fp8(60000.f, Fp8Kind::E5M2, false), 0x7B);  // below the 61440 midpoint -> max
  EXPECT_EQ(encode_fp8(61440.f, Fp8Kind::E5M2, false), 0x7C);  // midpoint 57344 | 65536 -> inf (even)
  EXPECT_EQ(encode_fp8(61440.f, Fp8Kind::E5M2, true), 0x7B);
  EXPECT_EQ(encode_fp8(-INFINITY, Fp8Kind::E5M2, false), 0xFC);
  EXPECT_EQ(decode_fp8(0x7C, Fp8Kind::E5M2), INFINITY);
  EXPECT_EQ(decode_fp8(0xFC, Fp8Kind::E5M2), -INFINITY);
  EXPECT_EQ(nan_count(MiniFloat::E5M2), 6);  // S.11111.{01,10,11}
}

TEST(Fp8, ExhaustiveDecodeEncodeIsIdentity) {
  for (Fp8Kind k : {Fp8Kind::E4M3, Fp8Kind::E5M2}) {
    int finite = 0;
    for (int c = 0; c < 256; ++c) {
      const float v = decode_fp8(static_cast<uint8_t>(c), k);
      if (std::isnan(v)) continue;
      EXPECT_EQ(encode_fp8(v, k, /*saturate=*/false), c) << "code " << c;
      if (std::isfinite(v)) {
        EXPECT_EQ(encode_fp8(v, k, /*saturate=*/true), c) << "code " << c;
        ++finite;
      }
    }
    EXPECT_EQ(finite, k == Fp8Kind::E4M3 ? 254 : 248);
    // Positive codes decode in increasing order.
    for (int c = 1; c < (k == Fp8Kind::E4M3 ? 0x7F : 0x7C); ++c)
      EXPECT_LT(decode_fp8(static_cast<uint8_t>(c - 1), k), decode_fp8(static_cast<uint8_t>(c), k));
  }
}

TEST(Fp8, EncodeMatchesBruteForceNearest) {
  std::mt19937 rng(7);
  for (MiniFloat f : {MiniFloat::E4M3, MiniFloat::E5M2, MiniFloat::E3M2, MiniFloat::E2M3, MiniFloat::E2M1}) {
    const double max = minifloat_spec(f).max_value;
    std::uniform_real_distribution<double> logmag(-20, std::log2(max) + 0.5);
    for (int t = 0; t < 20000; ++t) {
      float x = static_cast<float>(std::exp2(logmag(rng)));
      if (t % 2) x = -x;
      ASSERT_EQ(encode_minifloat(x, f, true), nearest_code(x, f)) << minifloat_name(f) << " x=" << x;
    }
    // Every midpoint between neighbouring codes is a tie.
    const int n = 1 << (minifloat_spec(f).total_bits() - 1);
    for (int c = 1; c < n; ++c) {
      const float a = decode_minifloat(static_cast<uint8_t>(c - 1), f), b = decode_minifloat(static_cast<uint8_t>(c), f);
      if (!std::isfinite(b)) break;
      const float mid = (a + b) / 2;
      ASSERT_EQ(encode_minifloat(mid, f, true), nearest_code(mid, f)) << minifloat_name(f) << " mid=" << mid;
    }
  }
}

TEST(MxElements, Fp4AndFp6Values) {
  const float e2m1[8] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6};
  for (int c = 0; c < 8; ++c) {
    EXPECT_EQ(decode_minifloat(static_cast<uint8_t>(c), MiniFloat::E2M1), e2m1[c]);
    EXPECT_EQ(decode_minifloat(static_cast<uint8_t>(c | 8), MiniFloat::E2M1), -e2m1[c]);
  }
  EXPECT_EQ(encode_minifloat(2.5f, MiniFloat::E2M1, true), 0x4);  // halfway 2 | 3 -> 2 (even)
  EXPECT_EQ(encode_minifloat(5.f, MiniFloat::E2M1, true), 0x6);   // halfway 4 | 6 -> 4 (even)
  EXPECT_EQ(encode_minifloat(100.f, MiniFloat::E2M1, true), 0x7); // saturates at 6
  EXPECT_EQ(decode_minifloat(0x1F, MiniFloat::E3M2), 28.f);       // 0 111 11 = 1.75 * 2^4
  EXPECT_EQ(decode_minifloat(0x01, MiniFloat::E3M2), 0.0625f);    // subnormal 2^(1-3-2)
  EXPECT_EQ(decode_minifloat(0x1F, MiniFloat::E2M3), 7.5f);       // 0 11 111 = 1.875 * 2^2
  EXPECT_EQ(decode_minifloat(0x01, MiniFloat::E2M3), 0.125f);     // subnormal 2^(1-1-3)
  for (MiniFloat f : {MiniFloat::E3M2, MiniFloat::E2M3, MiniFloat::E2M1}) {
    EXPECT_EQ(nan_count(f), 0);
    for (int c = 0; c < (1 << minifloat_spec(f).total_bits()); ++c)
      EXPECT_EQ(encode_minifloat(decode_minifloat(static_cast<uint8_t>(c), f), f, true), c) << minifloat_name(f);
  }
}
