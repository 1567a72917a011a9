// Min-max and percentile observers.
#include <gtest/gtest.h>

#include <cmath>

#include "coda/quant/observer.h"
#include "coda/quant/percentile_observer.h"

using namespace coda;
using namespace coda::quant;

TEST(MinMaxObserver, AcrossBatches) {
  MinMaxObserver obs;
  EXPECT_THROW(obs.range(), InvalidError);
  obs.observe(Tensor::from_vector<float>({-1.f, 2.f, NAN}, {3}));
  obs.observe(Tensor::from_vector<float>({3.f, -0.5f, INFINITY}, {3}));
  const Range r = obs.range();
  EXPECT_EQ(r.min.shape(), (Shape{}));
  EXPECT_EQ(r.min.data<float>()[0], -1.f);
  EXPECT_EQ(r.max.data<float>()[0], 3.f);
}

TEST(MinMaxObserver, PerChannel) {
  MinMaxObserver obs(1);
  obs.observe(Tensor::from_vector<float>({1, -2, 3, 4, 5, -6}, {2, 3}));
  obs.observe(Tensor::from_vector<float>({-7, 0, 0, 0, 8, 0}, {2, 3}));
  const Range r = obs.range();
  ASSERT_EQ(r.min.shape(), (Shape{3}));
  EXPECT_EQ(r.min.to_f32_vector(), (std::vector<float>{-7, -2, -6}));
  EXPECT_EQ(r.max.to_f32_vector(), (std::vector<float>{4, 8, 3}));
  EXPECT_THROW(obs.observe(Tensor(DType::f32, {2, 4})), InvalidError);
  EXPECT_THROW(obs.observe(Tensor(DType::i32, {2, 3})), InvalidError);
}

TEST(PercentileObserver, NearestRank) {
  // 1..10000 over two batches. p = 99.99: k = ceil(0.9999 * 10000) = 9999 -> max = 9999, min = v[n-k] = v[1] = 2.
  std::vector<float> a, b;
  for (int i = 1; i <= 10000; ++i) (i % 2 ? a : b).push_back(static_cast<float>(10001 - i));
  auto run = [&](double p) {
    PercentileObserver obs(p);
    obs.observe(Tensor::from_vector<float>(a, {static_cast<int64_t>(a.size())}));
    obs.observe(Tensor::from_vector<float>(b, {static_cast<int64_t>(b.size())}));
    const Range r = obs.range();
    return std::pair<float, float>{r.min.data<float>()[0], r.max.data<float>()[0]};
  };
  EXPECT_EQ(run(99.99), (std::pair<float, float>{2.f, 9999.f}));
  EXPECT_EQ(run(100), (std::pair<float, float>{1.f, 10000.f}));
  EXPECT_EQ(run(99), (std::pair<float, float>{101.f, 9900.f}));  // k = 9900, min = v[100] = 101
  EXPECT_EQ(nearest_rank(99.99, 10000), 9999);
  EXPECT_EQ(nearest_rank(99.99, 10001), 10000);  // ceil(0.9999 * 10001 = 9999.9999)
  EXPECT_THROW(PercentileObserver(40), InvalidError);
}
