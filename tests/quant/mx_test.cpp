// OCP Microscaling: shared E8M0 scale = 2^(floor(log2 amax) - emax_elem); worked examples by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "coda/quant/mx.h"

using namespace coda;
using namespace coda::quant;

namespace {

Tensor block_with(std::vector<float> head, int64_t n = 32) {
  head.resize(static_cast<size_t>(n), 0.f);
  return Tensor::from_vector<float>(head, {n});
}

}  // namespace

TEST(Mx, Fp4WorkedExample) {
  const NumberFormat f = parse_format("mxfp4");
  // amax 3: floor(log2 3) = 1, E2M1 emax = 2 -> shared exponent -1, X = 0.5.
  // x / X: 3 -> 6 (0b0111); 0.3 -> 0.6 -> 0.5 (0b0001) -> 0.25; 1.25 -> 2.5, tie 2 | 3 -> 2 (0b0100) -> 1.0;
  // -0.75 -> -1.5 (0b1011); 0.1 -> 0.2 -> 0 (below 0.25, half the smallest subnormal)
  const Tensor x = block_with({3.f, 0.3f, 1.25f, -0.75f, 0.1f});
  const QuantParams p = params_from_data(x, f);
  ASSERT_EQ(p.scale.shape(), (Shape{1}));
  EXPECT_EQ(p.scale.data<float>()[0], 0.5f);
  const Tensor c = quantize(x, f, p);
  ASSERT_EQ(c.dtype(), DType::u8);
  EXPECT_EQ(c.data<uint8_t>()[0], 0x7);
  EXPECT_EQ(c.data<uint8_t>()[1], 0x1);
  EXPECT_EQ(c.data<uint8_t>()[2], 0x4);
  EXPECT_EQ(c.data<uint8_t>()[3], 0xB);
  EXPECT_EQ(c.data<uint8_t>()[4], 0x0);
  const Tensor y = dequantize(c, f, p);
  const float want[5] = {3.f, 0.25f, 1.f, -0.75f, 0.f};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(y.data<float>()[i], want[i]) << i;
}

TEST(Mx, Fp8E4M3SaturatesToElementMax) {
  const NumberFormat f = parse_format("mxfp8e4m3");
  // amax 500: floor(log2 500) = 8, emax(E4M3) = 8 -> X = 1; 500 > 448 saturates to 448.
  // 0.3 = 1.2 * 2^-2, quantum 2^-5: 9.6 -> 10 -> 0.3125. 2^-12 is below half the smallest subnormal 2^-9 -> 0.
  const Tensor y = fake_quantize(block_with({500.f, 0.3f, std::ldexp(1.f, -12), -448.f}), f);
  EXPECT_EQ(y.data<float>()[0], 448.f);
  EXPECT_EQ(y.data<float>()[1], 0.3125f);
  EXPECT_EQ(y.data<float>()[2], 0.f);
  EXPECT_EQ(y.data<float>()[3], -448.f);
}

TEST(Mx, Fp8E5M2AndFp6) {
  // E5M2, emax 15: amax 1.0 -> X = 2^-15; 1.0 / X = 32768 = 1.0 * 2^15 is exact; 0.6 -> 0.625 (quantum 2^-3).
  Tensor y = fake_quantize(block_with({1.f, 0.6f}), parse_format("mxfp8e5m2"));
  EXPECT_EQ(y.data<float>()[0], 1.f);
  EXPECT_EQ(y.data<float>()[1], 0.625f);
  // E3M2, emax 4: amax 28 -> X = 1. 27 -> quantum 4: 6.75 -> 7 -> 28; 13 -> quantum 2: 6.5 -> tie -> 12.
  y = fake_quantize(block_with({28.f, 27.f, 13.f}), parse_format("mxfp6e3m2"));
  EXPECT_EQ(y.data<float>()[1], 28.f);
  EXPECT_EQ(y.data<float>()[2], 12.f);
  // E2M3, emax 2: amax 7.3 -> X = 1; 7.3 -> quantum 0.5: 14.6 -> 15 -> 7.5; 0.3 -> quantum 0.125: 2.4 -> 0.25.
  y = fake_quantize(block_with({7.3f, 0.3f}), parse_format("mxfp6e2m3"));
  EXPECT_EQ(y.data<float>()[0], 7.5f);
  EXPECT_EQ(y.data<float>()[1], 0.25f);
}

TEST(Mx, Int8WorkedExample) {
  const NumberFormat f = parse_format("mxint8");
  // amax 3: floor(log2 3) = 1, emax(INT8) = 0 -> X = 2. Elements k/64: 3/2*64 = 96; -1/2*64 = -32; 0.01 -> 0.32 -> 0.
  const Tensor x = block_with({3.f, -1.f, 0.01f, 2.99f});
  const QuantParams p = params_from_data(x, f);
  EXPECT_EQ(p.scale.data<float>()[0], 2.f);
  const Tensor c = quantize(x, f, p);
  ASSERT_EQ(c.dtype(), DType::i32);
  EXPECT_EQ(c.data<int32_t>()[0], 96);
  EXPECT_EQ(c.data<int32_t>()[1], -32);
  EXPECT_EQ(c.data<int32_t>()[2], 0);
  EXPECT_EQ(c.data<int32_t>()[3], 96);  // 95.68 -> 96
  EXPECT_EQ(dequantize(c, f, p).data<float>()[1], -1.f);
  // amax 1.999: X = 1, 1.999 * 64 = 127.94 saturates at 127 (127/64 = 1.984375); -1.999 -> -127.
  const Tensor y = fake_quantize(block_with({1.999f, -1.999f}), f);
  EXPECT_EQ(y.data<float>()[0], 127.f / 64);
  EXPECT_EQ(y.data<float>()[1], -127.f / 64);
}

TEST(Mx, BlocksFollowTheAxis) {
  // 64 values along the last axis -> two blocks with their own scales; a 70-long axis -> 3 (last partial).
  std::vector<float> v(64, 0.f);
  v[0] = 1.f;      // block 0 amax 1 -> MXFP4 X = 2^-2
  v[40] = 100.f;   // block 1 amax 100 -> floor(log2 100) = 6 -> X = 2^4
  const NumberFormat f = parse_format("mxfp4");
  QuantParams p = params_from_data(Tensor::from_vector<float>(v, {1, 64}), f);
  ASSERT_EQ(p.scale.shape(), (Shape{1, 2}));
  EXPECT_EQ(p.scale.data<float>()[0], 0.25f);
  EXPECT_EQ(p.scale.data<float>()[1], 16.f);
  EXPECT_EQ(params_from_data(Tensor(DType::f32, {2, 70}), f).scale.shape(), (Shape{2, 3}));
  // Blocks along axis 0 of a [64, 1] column.
  NumberFormat col = f;
  col.axis = 0;
  p = params_from_data(Tensor::from_vector<float>(v, {64, 1}), col);
  ASSERT_EQ(p.scale.shape(), (Shape{2, 1}));
  EXPECT_EQ(p.scale.data<float>()[1], 16.f);
}

TEST(Mx, ScalesArePowersOfTwoAndErrorIsBounded) {
  std::mt19937 rng(11);
  std::normal_distribution<float> g(0.f, 3.f);
  std::vector<float> v(32 * 16);
  for (float& a : v) a = g(rng);
  const Tensor x = Tensor::from_vector<float>(v, {16, 32});
  for (const char* name : {"mxint8", "mxfp8e4m3", "mxfp8e5m2", "mxfp6e3m2", "mxfp6e2m3", "mxfp4"}) {
    const NumberFormat f = parse_format(name);
    const QuantParams p = params_from_data(x, f);
    const Tensor y = fake_quantize(x, f, p);
    for (int64_t b = 0; b < 16; ++b) {
      const float s = p.scale.data<float>()[b];
      int e = 0;
      EXPECT_EQ(std::frexp(s, &e), 0.5f) << name;  // a power of two
      float amax = 0;
      for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(v[static_cast<size_t>(b * 32 + j)]));
      // Relative to the block max, the error is at most one element quantum at the top binade
      // (saturation of amax in [max_elem, 2^(emax+1)) X included): 2^-mantissa_bits * 2 * amax.
      const double mbits = f.element == MxElement::Int8 ? 6 : minifloat_spec(mx_element_minifloat(f.element)).mantissa_bits;
      for (int j = 0; j < 32; ++j) {
        const size_t k = static_cast<size_t>(b * 32 + j);
        ASSERT_LE(std::fabs(y.data<float>()[k] - v[k]), std::ldexp(2.0 * amax, -static_cast<int>(mbits))) << name;
      }
    }
  }
}

TEST(Mx, NanBlockDequantizesToNan) {
  const NumberFormat f = parse_format("mxfp8e4m3");
  const Tensor y = fake_quantize(block_with({1.f, NAN, 2.f}, 64), f);
  EXPECT_TRUE(std::isnan(y.data<float>()[0]));
  EXPECT_EQ(y.data<float>()[40], 0.f);  // the next block is unaffected
  // An all-zero block gets the smallest E8M0 scale 2^-127 and dequantizes to 0.
  const QuantParams p = params_from_data(Tensor(DType::f32, {32}), f);
  EXPECT_EQ(p.scale.data<float>()[0], std::ldexp(1.f, -127));
}
