// SMX (PINTA): 4x4 blocks sharing 2^(floor(log2 amax) - emax), emax = 6 (INT8) / 10 (INT12).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "coda/quant/smx.h"
#include "coda/quant/mx.h"

using namespace coda;
using namespace coda::quant;

namespace {

Tensor transpose(const Tensor& t) {
  const int64_t r = t.dim(0), c = t.dim(1);
  Tensor out(t.dtype(), {c, r});
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < c; ++j) {
      if (t.dtype() == DType::f32) out.data<float>()[j * r + i] = t.data<float>()[i * c + j];
      else if (t.dtype() == DType::i32) out.data<int32_t>()[j * r + i] = t.data<int32_t>()[i * c + j];
      else out.data<uint8_t>()[j * r + i] = t.data<uint8_t>()[i * c + j];
    }
  return out;
}

bool same(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

Tensor random_matrix(int64_t r, int64_t c, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.f, 1.f);
  std::uniform_real_distribution<float> mag(-8.f, 8.f);
  std::vector<float> v(static_cast<size_t>(r * c));
  for (float& a : v) a = g(rng) * std::exp2(mag(rng));  // very different block magnitudes
  return Tensor::from_vector<float>(v, {r, c});
}

}  // namespace

TEST(Smx, Int8WorkedExample) {
  const NumberFormat f = parse_format("smx8");
  // 8x8: block (0,0) amax 1 -> s = 2^(0-6) = 1/64; block (1,1) amax 3 -> s = 2^(1-6) = 1/32;
  // blocks (0,1), (1,0) amax 1.999 -> s = 1/64 and 1.999 * 64 = 127.94 saturates at 127.
  std::vector<float> v(64, 0.f);
  v[0 * 8 + 0] = 1.f;
  v[1 * 8 + 2] = 0.5f;    // -> 32
  v[3 * 8 + 3] = 0.3f;    // 19.2 -> 19
  v[2 * 8 + 1] = -1.f;    // -> -64
  v[5 * 8 + 5] = 3.f;     // -> 96
  v[7 * 8 + 4] = -0.3f;   // -9.6 -> -10
  v[0 * 8 + 7] = 1.999f;  // -> 127
  v[6 * 8 + 1] = -1.999f; // -> -127
  const Tensor x = Tensor::from_vector<float>(v, {8, 8});
  const QuantParams p = params_from_data(x, f);
  ASSERT_EQ(p.scale.shape(), (Shape{2, 2}));
  EXPECT_EQ(p.scale.data<float>()[0], 1.f / 64);
  EXPECT_EQ(p.scale.data<float>()[1], 1.f / 64);
  EXPECT_EQ(p.scale.data<float>()[2], 1.f / 64);
  EXPECT_EQ(p.scale.data<float>()[3], 1.f / 32);
  const Tensor c = quantize(x, f, p);
  const int32_t* q = c.data<int32_t>();
  EXPECT_EQ(q[0], 64);
  EXPECT_EQ(q[1 * 8 + 2], 32);
  EXPECT_EQ(q[3 * 8 + 3], 19);
  EXPECT_EQ(q[2 * 8 + 1], -64);
  EXPECT_EQ(q[5 * 8 + 5], 96);
  EXPECT_EQ(q[7 * 8 + 4], -10);
  EXPECT_EQ(q[0 * 8 + 7], 127);
  EXPECT_EQ(q[6 * 8 + 1], -127);
  EXPECT_EQ(dequantize(c, f, p).data<float>()[7 * 8 + 4], -10.f / 32);
}

TEST(Smx, Int12WorkedExample) {
  // amax 1 -> s = 2^(0-10); 0.3 * 1024 = 307.2 -> 307; 5x6 matrix -> 2x2 blocks (partial edges).
  std::vector<float> v(30, 0.f);
  v[0] = 1.f;
  v[1] = 0.3f;
  v[29] = 0.75f;  // block (1,1) amax 0.75 -> floor(log2) = -1 -> s = 2^-11; 0.75 * 2048 = 1536
  const Tensor x = Tensor::from_vector<float>(v, {5, 6});
  const NumberFormat f = parse_format("smx12");
  const QuantParams p = params_from_data(x, f);
  ASSERT_EQ(p.scale.shape(), (Shape{2, 2}));
  const Tensor c = quantize(x, f, p);
  EXPECT_EQ(c.data<int32_t>()[0], 1024);
  EXPECT_EQ(c.data<int32_t>()[1], 307);
  EXPECT_EQ(c.data<int32_t>()[29], 1536);
  EXPECT_EQ(p.scale.data<float>()[3], std::ldexp(1.f, -11));
}

TEST(Smx, TransposeInvariance) {
  for (const char* name : {"smx8", "smx12"}) {
    const NumberFormat f = parse_format(name);
    for (auto [r, c] : {std::pair<int64_t, int64_t>{8, 8}, {10, 7}, {3, 13}, {16, 4}}) {
      const Tensor w = random_matrix(r, c, static_cast<unsigned>(r * 100 + c));
      const QuantParams p = params_from_data(w, f);
      const QuantParams pt = params_from_data(transpose(w), f);
      EXPECT_TRUE(same(pt.scale, transpose(p.scale))) << name << " " << r << "x" << c;
      EXPECT_TRUE(same(quantize(transpose(w), f, pt), transpose(quantize(w, f, p)))) << name << " " << r << "x" << c;
      EXPECT_TRUE(same(fake_quantize(transpose(w), f), transpose(fake_quantize(w, f)))) << name;
    }
  }
}

TEST(Smx, DirectionalMxBlocksAreNotTransposeInvariant) {
  // The contrast that motivates SMX: 1x32 MX blocks give a different W^T quantization.
  const NumberFormat f = parse_format("mxint8");
  const Tensor w = random_matrix(32, 32, 5);
  EXPECT_FALSE(same(fake_quantize(transpose(w), f), transpose(fake_quantize(w, f))));
}

TEST(Smx, NeedsAMatrix) {
  EXPECT_THROW(params_from_data(Tensor(DType::f32, {2, 4, 4}), parse_format("smx8")), InvalidError);
  NumberFormat bad = parse_format("smx8");
  bad.bits = 10;
  EXPECT_THROW(params_from_data(Tensor(DType::f32, {4, 4}), bad), InvalidError);
}
