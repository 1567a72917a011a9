#include "coda/core/tensor.h"

#include <gtest/gtest.h>

#include <atomic>

#include "coda/core/thread_pool.h"

namespace {

using coda::DType;
using coda::Tensor;

TEST(Tensor, ShapesStridesAndSharing) {
  Tensor t(DType::f32, {2, 3, 4});
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.nbytes(), 96u);
  EXPECT_EQ(coda::shape_strides(t.shape()), (coda::Shape{12, 4, 1}));
  EXPECT_EQ(t.data<float>()[23], 0.f);
  Tensor u = t;  // shares
  u.data<float>()[0] = 5.f;
  EXPECT_EQ(t.data<float>()[0], 5.f);
  Tensor v = t.clone();
  v.data<float>()[0] = 1.f;
  EXPECT_EQ(t.data<float>()[0], 5.f);
  EXPECT_THROW(t.data<int8_t>(), coda::InternalError);
  EXPECT_EQ(coda::shape_str({1, -1, 3}), "[1,?,3]");
}

TEST(Tensor, CastFollowsOnnxRules) {
  Tensor f = Tensor::from_vector<float>({-1.7f, 2.5f, 3e10f, 0.f}, {4});
  EXPECT_EQ(f.cast(DType::i32).to_i64_vector(), (std::vector<int64_t>{-1, 2, 2147483647, 0}));
  EXPECT_EQ(f.cast(DType::boolean).to_i64_vector(), (std::vector<int64_t>{1, 1, 1, 0}));
}

TEST(ThreadPool, CoversTheRangeOnceWithAnyThreadCount) {
  for (int threads : {1, 2, 4}) {
    coda::ThreadPool pool(threads);
    std::vector<std::atomic<int>> hits(1000);
    pool.parallel_for(0, 1000, 7, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) hits[static_cast<size_t>(i)]++;
    });
    for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  }
}

TEST(ThreadPool, RethrowsTheBodysException) {
  coda::ThreadPool pool(2);
  EXPECT_THROW(pool.parallel_for(0, 100, 1, [](int64_t lo, int64_t) {
                 if (lo == 42) throw coda::InvalidError("x", "boom");
               }),
               coda::InvalidError);
  int sum = 0;  // still usable
  pool.parallel_for(0, 10, 100, [&](int64_t lo, int64_t hi) { sum += static_cast<int>(hi - lo); });
  EXPECT_EQ(sum, 10);
}

}  // namespace
