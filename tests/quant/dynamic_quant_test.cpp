// ESCA's dynamic per-row activation quantization, worked by hand.
#include <gtest/gtest.h>

#include "coda/quant/dynamic_quant.h"

using namespace coda;
using namespace coda::quant;

TEST(DynamicPerRow, AsymmetricWithClipRatio) {
  // 4-bit, clip 0.9.
  // row 0 [-1, 0.5, 2, 4]: xmin = -0.9, xmax = 3.6, scale = 4.5 / 15 = 0.3, zero = round(3) = 3;
  //   q = clamp(round(x / 0.3) + 3, 0, 15) = [0, 5, 10, 15 (16 clipped)] -> [-0.9, 0.6, 2.1, 3.6]
  // row 1 all zero: range [-1, 1] -> zeros.
  // row 2 [1, 2, 2.5, 4]: xmin = 0, xmax = 3.6, scale 0.24, zero 0: [4, 8, 10, 15] -> [0.96, 1.92, 2.4, 3.6]
  const Tensor x = Tensor::from_vector<float>({-1, 0.5f, 2, 4, 0, 0, 0, 0, 1, 2, 2.5f, 4}, {3, 4});
  const Tensor y = quantize_dynamic_per_row(x, 4, 0.9f, true);
  const std::vector<float> want = {-0.9f, 0.6f, 2.1f, 3.6f, 0, 0, 0, 0, 0.96f, 1.92f, 2.4f, 3.6f};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(y.data<float>()[i], want[i], 1e-6) << i;
}

TEST(DynamicPerRow, RowsAreTheLastDimension) {
  // Shape [2, 1, 2]: two rows of 2. Row [0, 3] (8-bit, clip 1): scale 3/255, zero 0 -> exact ends.
  // Row [-2, 0]: scale 2/255, zero 255.
  const Tensor x = Tensor::from_vector<float>({0, 3, -2, 0}, {2, 1, 2});
  const Tensor y = quantize_dynamic_per_row(x, 8, 1.f, true);
  EXPECT_EQ(y.shape(), (Shape{2, 1, 2}));
  EXPECT_NEAR(y.data<float>()[1], 3.f, 1e-6);
  EXPECT_NEAR(y.data<float>()[2], -2.f, 1e-6);
  EXPECT_EQ(y.data<float>()[3], 0.f);
}

TEST(DynamicPerRow, SymmetricUsesEscasFullNegativeRange) {
  // 8-bit, clip 1: row [-2.54, 1, 0.26]: scale 0.02 -> [-127, 50, 13].
  const Tensor a = quantize_dynamic_per_row(Tensor::from_vector<float>({-2.54f, 1.f, 0.26f}, {1, 3}), 8, 1.f, false);
  EXPECT_NEAR(a.data<float>()[0], -2.54f, 1e-6);
  EXPECT_NEAR(a.data<float>()[1], 1.f, 1e-6);
  EXPECT_NEAR(a.data<float>()[2], 0.26f, 1e-6);
  // clip 0.5: row [-4, 1]: xmax = 2, scale 2/127; -4 -> -254 clamps to -128 (ESCA's sym_quant) -> -256/127.
  const Tensor b = quantize_dynamic_per_row(Tensor::from_vector<float>({-4.f, 1.f}, {1, 2}), 8, 0.5f, false);
  EXPECT_NEAR(b.data<float>()[0], -256.f / 127, 1e-5);
  EXPECT_NEAR(b.data<float>()[1], 64 * 2.f / 127, 1e-5);  // 1 / (2/127) = 63.5 -> 64 (tie to even)
}

TEST(DynamicPerRow, BadArguments) {
  const Tensor x(DType::f32, {2, 2});
  EXPECT_THROW(quantize_dynamic_per_row(x, 1, 0.9f, true), InvalidError);
  EXPECT_THROW(quantize_dynamic_per_row(x, 8, 0.f, true), InvalidError);
  EXPECT_THROW(quantize_dynamic_per_row(x, 8, 1.5f, true), InvalidError);
  EXPECT_THROW(quantize_dynamic_per_row(Tensor(DType::i32, {2}), 8, 0.9f, true), InvalidError);
}
