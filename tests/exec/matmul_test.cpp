// Gemm and MatMul against hand values and a naive double-precision product; the GEMM kernels
// (generic / AVX2 / AVX-512) agree; bits do not depend on the thread count.
#include "coda/exec/gemm.h"
#include "kernel_test_util.h"

namespace coda::exec::testing {
namespace {

// C = A[m,k] * B[k,n] in double.
Tensor naive_matmul(const Tensor& a, const Tensor& b, int64_t m, int64_t k, int64_t n) {
  Tensor c(DType::f32, {m, n});
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t p = 0; p < k; ++p) s += double(a.data<float>()[i * k + p]) * b.data<float>()[p * n + j];
      c.data<float>()[i * n + j] = float(s);
    }
  return c;
}

TEST(Gemm, TransposesAlphaBetaAndBroadcastC) {
  Tensor a = f32({1, 2, 3, 4, 5, 6}, {3, 2});   // A^T is [2,3]
  Tensor b = f32({1, 0, 0, 1, 1, 1}, {2, 3});   // B^T is [3,2]
  Tensor c = f32({100, 200}, {2});
  Node n = make_node(OpKind::Gemm, {{"transA", 1}, {"transB", 1}, {"alpha", 2.f}, {"beta", 0.5f}});
  // A^T = [[1,3,5],[2,4,6]], B^T = [[1,1],[0,1],[0,1]] -> A^T B^T = [[1,9],[2,12]]
  expect_values(run1(n, {a, b, c}), {2, 2}, {52, 118, 54, 124});
  expect_values(run1(make_node(OpKind::Gemm), {f32({1, 2}, {1, 2}), f32({3, 4}, {2, 1})}), {1, 1}, {11});
  EXPECT_THROW(run1(make_node(OpKind::Gemm), {f32({1, 2}, {1, 2}), f32({3, 4, 5}, {3, 1})}), InvalidError);
  EXPECT_THROW(run1(make_node(OpKind::Gemm), {f32({1, 2}, {1, 2}), f32({3, 4}, {2, 1}), f32({1, 2, 3}, {3})}), InvalidError);
}

TEST(MatMul, VectorOperandsDropTheirDim) {
  Tensor m = f32({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_values(run1(make_node(OpKind::MatMul), {f32({1, 1}, {2}), m}), {3}, {5, 7, 9});
  expect_values(run1(make_node(OpKind::MatMul), {m, f32({1, 0, 1}, {3})}), {2}, {4, 10});
  expect_values(run1(make_node(OpKind::MatMul), {f32({1, 2, 3}, {3}), f32({1, 2, 3}, {3})}), {}, {14});
}

TEST(MatMul, BatchBroadcasting) {
  Tensor a = random_f32({2, 1, 3, 4}, 3), b = random_f32({5, 4, 2}, 4);
  Tensor y = run1(make_node(OpKind::MatMul), {a, b});
  ASSERT_EQ(y.shape(), (Shape{2, 5, 3, 2}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 5; ++j) {
      Tensor ai = f32(std::vector<float>(a.data<float>() + i * 12, a.data<float>() + i * 12 + 12), {3, 4});
      Tensor bj = f32(std::vector<float>(b.data<float>() + j * 8, b.data<float>() + j * 8 + 8), {4, 2});
      Tensor want = naive_matmul(ai, bj, 3, 4, 2);
      Tensor got = f32(std::vector<float>(y.data<float>() + (i * 5 + j) * 6, y.data<float>() + (i * 5 + j) * 6 + 6), {3, 2});
      expect_close(got, want);
    }
}

TEST(MatMul, IntegerAndDoubleTypes) {
  Tensor a = Tensor::from_vector<int64_t>({1, 2, 3, 4}, {2, 2});
  expect_values(run1(make_node(OpKind::MatMul), {a, a}), {2, 2}, {7, 10, 15, 22});
  Tensor d = Tensor::from_vector<double>({0.5, 1.5}, {1, 2});
  expect_values(run1(make_node(OpKind::MatMul), {d, Tensor::from_vector<double>({2, 4}, {2, 1})}), {1, 1}, {7});
  EXPECT_THROW(run1(make_node(OpKind::MatMul), {Tensor::from_vector<uint8_t>({1}, {1, 1}), Tensor::from_vector<uint8_t>({1}, {1, 1})}),
               UnsupportedError);
}

TEST(MatMul, LargeMatchesNaiveAndIsThreadCountIndependent) {
  const int64_t m = 197, k = 192, n = 576;
  Tensor a = random_f32({m, k}, 5), b = random_f32({k, n}, 6);
  std::vector<Tensor> y = run_both(make_node(OpKind::MatMul), {a, b});
  expect_close(y[0], naive_matmul(a, b, m, k, n), 1e-5, 1e-5);
  Tensor a3 = random_f32({4, 3, 50, 64}, 7), b3 = random_f32({4, 3, 64, 50}, 8);
  run_both(make_node(OpKind::MatMul), {a3, b3});
}

TEST(Sgemm, EveryKernelThisCpuRunsAgrees) {
  using namespace kern;
  const int64_t m = 67, n = 131, k = 93;
  Tensor a = random_f32({k, m}, 9), b = random_f32({n, k}, 10), c0 = random_f32({m, n}, 11);
  Tensor want;
  for (GemmIsa isa : {GemmIsa::generic, GemmIsa::avx2, GemmIsa::avx512}) {
    if (!gemm_isa_supported(isa)) continue;
    Tensor c = c0.clone();
    sgemm_serial(isa, {.trans_a = true, .trans_b = true, .m = m, .n = n, .k = k, .alpha = 0.5f, .a = a.data<float>(),
                       .lda = m, .b = b.data<float>(), .ldb = k, .beta = 2.f, .c = c.data<float>(), .ldc = n});
    if (!want.defined()) {  // the generic kernel checked against a double-precision product
      want = c0.clone();
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double s = 0;
          for (int64_t p = 0; p < k; ++p) s += double(a.data<float>()[p * m + i]) * b.data<float>()[j * k + p];
          want.data<float>()[i * n + j] = float(0.5 * s + 2.0 * c0.data<float>()[i * n + j]);
        }
    }
    SCOPED_TRACE(gemm_isa_name(isa));
    expect_close(c, want, 1e-5, 1e-5);
  }
}

TEST(Sgemm, SmallShapesEveryKernelAndTransposeAgainstDouble) {
  using namespace kern;
  struct Shape3 {
    int64_t m, n, k;
  };
  uint32_t seed = 20;
  for (Shape3 s : {Shape3{1, 1, 1}, Shape3{16, 16, 16}, Shape3{13, 10, 7}, Shape3{9, 40, 33}, Shape3{4, 17, 1},
                   Shape3{33, 64, 20}, Shape3{2, 3, 0}})
    for (int t = 0; t < 4; ++t) {
      const bool ta = t & 1, tb = t & 2;
      Tensor a = random_f32(ta ? Shape{s.k, s.m} : Shape{s.m, s.k}, ++seed), b = random_f32(tb ? Shape{s.n, s.k} : Shape{s.k, s.n}, ++seed);
      Tensor c0 = random_f32({s.m, s.n}, ++seed);
      Tensor want = c0.clone();
      for (int64_t i = 0; i < s.m; ++i)
        for (int64_t j = 0; j < s.n; ++j) {
          double acc = 0;
          for (int64_t p = 0; p < s.k; ++p)
            acc += double(ta ? a.data<float>()[p * s.m + i] : a.data<float>()[i * s.k + p]) *
                   double(tb ? b.data<float>()[j * s.k + p] : b.data<float>()[p * s.n + j]);
          want.data<float>()[i * s.n + j] = float(1.5 * acc - 0.5 * c0.data<float>()[i * s.n + j]);
        }
      for (GemmIsa isa : {GemmIsa::generic, GemmIsa::avx2, GemmIsa::avx512}) {
        if (!gemm_isa_supported(isa)) continue;
        Tensor c = c0.clone();
        sgemm_serial(isa, {.trans_a = ta, .trans_b = tb, .m = s.m, .n = s.n, .k = s.k, .alpha = 1.5f, .a = a.data<float>(),
                           .lda = ta ? s.m : s.k, .b = b.data<float>(), .ldb = tb ? s.k : s.n, .beta = -0.5f,
                           .c = c.data<float>(), .ldc = s.n});
        SCOPED_TRACE(::testing::Message() << gemm_isa_name(isa) << " " << s.m << "x" << s.n << "x" << s.k << " ta=" << ta << " tb=" << tb);
        expect_close(c, want, 1e-5, 1e-5);
      }
    }
}

TEST(Sgemm, BetaZeroIgnoresNaNInC) {
  using namespace kern;
  Tensor a = f32({1, 2}, {1, 2}), b = f32({3, 4}, {2, 1}), c = f32({NAN}, {1, 1});
  sgemm({.m = 1, .n = 1, .k = 2, .a = a.data<float>(), .lda = 2, .b = b.data<float>(), .ldb = 1, .c = c.data<float>(), .ldc = 1},
        nullptr);
  EXPECT_EQ(c.data<float>()[0], 11.f);
}

}  // namespace
}  // namespace coda::exec::testing
