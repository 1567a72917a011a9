// Metrics against hand-computed values: argmax ties and NaN as numpy picks them, subsets, accumulation
// over batches, MSE and PSNR closed forms, and bad arguments.
#include "coda/datasets/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace coda::datasets {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Rows: clear winner 1; tie 0/1 -> 0; NaN in column 0 -> 0; all negative -> 0.
Tensor sample_logits() {
  return Tensor::from_vector<float>({0.1f, 0.9f, 0.0f, 2.f, 2.f, 1.f, kNaN, 5.f, 1.f, -1.f, -2.f, -3.f}, {4, 3});
}
const std::vector<int> kLabels = {1, 0, 1, 2};  // correct, correct, wrong, wrong

TEST(Argmax, TiesAndNaNLikeNumpy) {
  Tensor t = sample_logits();
  EXPECT_EQ(argmax_row(t, 0), 1);
  EXPECT_EQ(argmax_row(t, 1), 0);  // np.argmax([2, 2, 1]) == 0
  EXPECT_EQ(argmax_row(t, 2), 0);  // np.argmax([nan, 5, 1]) == 0
  EXPECT_EQ(argmax_row(t, 3), 0);
  Tensor late_nan = Tensor::from_vector<float>({1.f, kNaN, 9.f, kNaN}, {1, 4});
  EXPECT_EQ(argmax_row(late_nan, 0), 1);  // the first NaN
}

TEST(Top1, HandComputed) {
  EXPECT_EQ(top1(sample_logits(), kLabels), 0.5);
  EXPECT_EQ(top1_subset(sample_logits(), kLabels, {0, 1}), 1.0);
  EXPECT_EQ(top1_subset(sample_logits(), kLabels, {0, 2, 3}), 1.0 / 3.0);
  EXPECT_TRUE(std::isnan(top1_subset(sample_logits(), kLabels, {})));
}

TEST(Top1, OtherDtypes) {
  Tensor i = Tensor::from_vector<int64_t>({3, 7, 7, 1, -5, 0}, {2, 3});
  EXPECT_EQ(top1(i, {1, 2}), 0.5);
  EXPECT_EQ(top1(Tensor::from_vector<double>({0.25, 0.5}, {1, 2}), {1}), 1.0);
}

TEST(Top1, AccumulatesOverBatches) {
  Top1Accumulator acc;
  acc.add(Tensor::from_vector<float>({0.1f, 0.9f, 2.f, 2.f}, {2, 2}), {1, 1});
  acc.add(Tensor::from_vector<float>({5.f, 4.f}, {1, 2}), {0});
  acc.add_rows(Tensor::from_vector<float>({0.f, 1.f, 1.f, 0.f}, {2, 2}), {1, 1}, {1});
  EXPECT_EQ(acc.correct, 2);
  EXPECT_EQ(acc.count, 4);
  EXPECT_EQ(acc.accuracy(), 0.5);
  EXPECT_TRUE(std::isnan(Top1Accumulator{}.accuracy()));
}

TEST(Top1, BadArguments) {
  EXPECT_THROW(top1(sample_logits(), {1, 0, 1}), InvalidError);                // 3 labels for 4 rows
  EXPECT_THROW(top1(sample_logits(), {1, 0, 1, 3}), InvalidError);             // class 3 of 3
  EXPECT_THROW(top1(sample_logits(), {1, 0, -1, 0}), InvalidError);
  EXPECT_THROW(top1(Tensor::from_vector<float>({1.f}, {1}), {0}), InvalidError);  // rank 1
  EXPECT_THROW(top1(Tensor(DType::f32, {2, 0}), {0, 0}), InvalidError);          // no classes
  EXPECT_THROW(top1_subset(sample_logits(), kLabels, {4}), InvalidError);
  EXPECT_THROW(top1(Tensor(), {}), InvalidError);
}

TEST(Psnr, ClosedForm) {
  Tensor pred = Tensor::from_vector<float>({0.f, 0.5f, 1.f, 1.f}, {2, 2});
  Tensor ref = Tensor::from_vector<float>({0.f, 0.f, 1.f, 0.5f}, {2, 2});
  EXPECT_EQ(mse(pred, ref), 0.125);                              // (0.5^2 + 0.5^2) / 4
  EXPECT_NEAR(psnr_db(pred, ref), 9.030899869919436, 1e-12);       // 10 log10(8)
  EXPECT_NEAR(psnr_db(pred, ref, 255.0), 57.16170347859854, 1e-12);  // 10 log10(255^2 * 8)
  EXPECT_EQ(psnr_db(pred, pred), std::numeric_limits<double>::infinity());
}

TEST(Psnr, MixedDtypes) {
  Tensor pred = Tensor::from_vector<uint8_t>({10, 20}, {2});
  Tensor ref = Tensor::from_vector<double>({12.0, 20.0}, {2});
  EXPECT_EQ(mse(pred, ref), 2.0);
  EXPECT_NEAR(psnr_db(pred, ref, 255.0), 10.0 * std::log10(65025.0 / 2.0), 1e-12);
}

TEST(Psnr, StreamingEqualsWholeTensorBitForBit) {
  const int64_t n = 3000;
  Tensor pred(DType::f32, {n}), ref(DType::f32, {n});
  for (int64_t i = 0; i < n; ++i) {
    pred.data<float>()[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i)));
    ref.data<float>()[i] = static_cast<float>(std::cos(0.11 * static_cast<double>(i)));
  }
  PsnrAccumulator acc;
  for (int64_t lo : {0, 1000, 1700}) {
    int64_t hi = lo == 0 ? 1000 : lo == 1000 ? 1700 : n;
    Tensor p(DType::f32, {hi - lo}), r(DType::f32, {hi - lo});
    std::memcpy(p.raw(), pred.data<float>() + lo, p.nbytes());
    std::memcpy(r.raw(), ref.data<float>() + lo, r.nbytes());
    acc.add(p, r);
  }
  EXPECT_EQ(acc.count, n);
  EXPECT_EQ(acc.mse(), mse(pred, ref));
  EXPECT_EQ(acc.psnr_db(2.0), psnr_db(pred, ref, 2.0));
}

TEST(Psnr, BadArgumentsAndEmpty) {
  EXPECT_THROW(mse(Tensor(DType::f32, {2, 2}), Tensor(DType::f32, {4})), InvalidError);
  EXPECT_THROW(psnr_db(Tensor(), Tensor()), InvalidError);
  EXPECT_TRUE(std::isnan(PsnrAccumulator{}.psnr_db()));
}

}  // namespace
}  // namespace coda::datasets
