// INT-b and scaled FP8 quantization: hand-computed codes (ONNX QuantizeLinear rules), granularities, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "coda/quant/quantize.h"

using namespace coda;
using namespace coda::quant;

namespace {

Tensor f32(std::vector<float> v, Shape s) { return Tensor::from_vector<float>(v, std::move(s)); }
std::vector<int32_t> codes_of(const Tensor& t) { return std::vector<int32_t>(t.data<int32_t>(), t.data<int32_t>() + t.numel()); }

}  // namespace

TEST(IntQuantize, SymmetricInt8HalfToEven) {
  const NumberFormat f = parse_format("int8");
  // range +-31.75 -> scale 31.75 / 127 = 0.25 exactly
  QuantParams p = choose_params(f, -31.75f, 10.f);
  EXPECT_EQ(p.scale.data<float>()[0], 0.25f);
  EXPECT_EQ(p.zero_point.data<int32_t>()[0], 0);
  // x / 0.25: 0.5 -> 0, 1.5 -> 2, -2.5 -> -2 (ties to even), 400 -> 127, -400 -> -127 (never -128)
  const Tensor x = f32({0.125f, 0.375f, -0.625f, 100.f, -100.f, 1.f}, {6});
  EXPECT_EQ(codes_of(quantize(x, f, p)), (std::vector<int32_t>{0, 2, -2, 127, -127, 4}));
  const Tensor y = fake_quantize(x, f, p);
  const std::vector<float> want = {0.f, 0.5f, -0.5f, 31.75f, -31.75f, 1.f};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(y.data<float>()[i], want[static_cast<size_t>(i)]) << i;
}

TEST(IntQuantize, AsymmetricUint8LikeOrt) {
  const NumberFormat f = parse_format("uint8");
  // ORT: scale = (3 - (-1)) / 255, zero_point = round(0 - (-1) / scale) = round(63.75) = 64
  QuantParams p = choose_params(f, -1.f, 3.f);
  EXPECT_FLOAT_EQ(p.scale.data<float>()[0], 4.f / 255.f);
  EXPECT_EQ(p.zero_point.data<int32_t>()[0], 64);
  // -1 -> round(-63.75) + 64 = 0; 0 -> 64; 1 -> round(63.75) + 64 = 128; 3 -> round(191.25) + 64 = 255; 9 -> 255
  const Tensor x = f32({-1.f, 0.f, 1.f, 3.f, 9.f, -5.f}, {6});
  EXPECT_EQ(codes_of(quantize(x, f, p)), (std::vector<int32_t>{0, 64, 128, 255, 255, 0}));
  const Tensor y = dequantize(quantize(x, f, p), f, p);
  EXPECT_FLOAT_EQ(y.data<float>()[2], 64 * 4.f / 255.f);
  EXPECT_EQ(y.data<float>()[1], 0.f);  // zero is exact
  // A positive-only range still includes 0 (zero point 0).
  EXPECT_EQ(choose_params(f, 1.f, 2.f).zero_point.data<int32_t>()[0], 0);
}

TEST(IntQuantize, Int4RangeIsSymmetric) {
  const NumberFormat f = parse_format("int4");
  QuantParams p = choose_params(f, -7.f, 7.f);  // scale 1
  EXPECT_EQ(codes_of(quantize(f32({-9.f, -7.5f, -6.5f, 6.5f, 7.5f, 0.4f}, {6}), f, p)),
            (std::vector<int32_t>{-7, -7, -6, 6, 7, 0}));
}

TEST(IntQuantize, PerChannel) {
  const NumberFormat f = parse_format("int8/ch");
  // rows: amax 12.7 -> scale 0.1; amax 1.27 -> scale 0.01
  const Tensor w = f32({1.f, -12.7f, 0.26f, 0.6f, -0.333f, 1.27f}, {2, 3});
  QuantParams p = params_from_data(w, f);
  ASSERT_EQ(p.scale.shape(), (Shape{2}));
  EXPECT_FLOAT_EQ(p.scale.data<float>()[0], 0.1f);
  EXPECT_FLOAT_EQ(p.scale.data<float>()[1], 0.01f);
  EXPECT_EQ(codes_of(quantize(w, f, p)), (std::vector<int32_t>{10, -127, 3, 60, -33, 127}));
  // Along axis 1 instead: columns amax 1 (scale 1/127), 12.7, 1.27: 0.6 * 127 = 76.2, -0.333 / 0.1 = -3.33.
  QuantParams pc = params_from_data(w, f.per_channel(1));
  ASSERT_EQ(pc.scale.shape(), (Shape{3}));
  EXPECT_FLOAT_EQ(pc.scale.data<float>()[1], 0.1f);
  EXPECT_EQ(codes_of(quantize(w, f.per_channel(1), pc)), (std::vector<int32_t>{127, -127, 26, 76, -3, 127}));
}

TEST(IntQuantize, PerGroupAlongLastAxis) {
  const NumberFormat f = parse_format("int4/g4");
  // group 0 amax 7 -> scale 1; group 1 amax 0.7 -> scale 0.1; the last partial group (1 element) amax 14 -> 2
  const Tensor x = f32({7.f, -3.4f, 2.6f, 0.f, 0.7f, 0.14f, -0.36f, 0.06f, 14.f}, {1, 9});
  QuantParams p = params_from_data(x, f);
  ASSERT_EQ(p.scale.shape(), (Shape{1, 3}));
  EXPECT_FLOAT_EQ(p.scale.data<float>()[0], 1.f);
  EXPECT_FLOAT_EQ(p.scale.data<float>()[1], 0.1f);
  EXPECT_FLOAT_EQ(p.scale.data<float>()[2], 2.f);
  EXPECT_EQ(codes_of(quantize(x, f, p)), (std::vector<int32_t>{7, -3, 3, 0, 7, 1, -4, 1, 7}));
}

TEST(IntQuantize, ErrorBoundedByHalfStep) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-5, 5);
  std::vector<float> v(1000);
  for (float& a : v) a = u(rng);
  const Tensor x = f32(v, {10, 100});
  // Symmetric: |error| <= scale / 2. Asymmetric: the rounded zero point can push one end of the range
  // half a step outside the grid, so |error| <= scale.
  for (const char* name : {"int8", "int4/g32", "uint8/ch", "int3/ch", "int16", "uint4/g32"}) {
    const NumberFormat f = parse_format(name);
    const QuantParams p = params_from_data(x, f);
    const Tensor y = fake_quantize(x, f, p);
    float max_scale = 0;
    for (int64_t i = 0; i < p.scale.numel(); ++i) max_scale = std::max(max_scale, p.scale.data<float>()[i]);
    for (int64_t i = 0; i < x.numel(); ++i)
      ASSERT_LE(std::fabs(y.data<float>()[i] - v[static_cast<size_t>(i)]), max_scale * (f.asymmetric ? 1.0001f : 0.5001f)) << name;
  }
}

TEST(IntQuantize, ScaledFp8) {
  const NumberFormat f = parse_format("fp8e4m3");
  QuantParams p = choose_params(f, -896.f, 100.f);  // scale = 896 / 448 = 2
  EXPECT_EQ(p.scale.data<float>()[0], 2.f);
  const Tensor codes = quantize(f32({-896.f, 2.f, 2000.f}, {3}), f, p);
  ASSERT_EQ(codes.dtype(), DType::u8);
  EXPECT_EQ(codes.data<uint8_t>()[0], 0xFE);  // -448
  EXPECT_EQ(codes.data<uint8_t>()[1], 0x38);  // 1.0
  EXPECT_EQ(codes.data<uint8_t>()[2], 0x7E);  // saturated
  EXPECT_EQ(dequantize(codes, f, p).data<float>()[0], -896.f);
}

TEST(IntQuantize, BadInputsAreUserErrors) {
  const NumberFormat f = parse_format("int8/ch");
  const Tensor w = f32({1, 2, 3, 4, 5, 6}, {2, 3});
  QuantParams wrong = choose_params(parse_format("int8"), -1.f, 1.f);
  EXPECT_THROW(quantize(w, f, wrong), InvalidError);
  EXPECT_THROW(params_from_data(w, f.per_channel(2)), InvalidError);
  EXPECT_THROW(choose_params(f, -1.f, 1.f), InvalidError);  // per-channel needs a range per channel
  EXPECT_THROW(choose_params(parse_format("int8"), 2.f, 1.f), InvalidError);
  EXPECT_THROW(params_from_data(Tensor(DType::i32, {2}), parse_format("int8")), InvalidError);
  EXPECT_THROW(dequantize(Tensor(DType::u8, {2, 3}), f, params_from_data(w, f)), InvalidError);
  EXPECT_THROW(params_from_data(w, NumberFormat::int_format(17)), InvalidError);
}
