// Gemm (transA/transB/alpha/beta, C broadcast to [M,N]) and MatMul (numpy batch broadcasting,
// 1-D operands). float32 runs on sgemm; float64 and integer types on a plain loop.
#include <algorithm>

#include "coda/exec/broadcast.h"
#include "coda/exec/elementwise.h"
#include "coda/exec/gemm.h"
#include "coda/exec/kernel_list.h"

namespace coda::exec::kern {

namespace {

// C = alpha * op(A) op(B) + beta * C for non-f32 types, accumulating in T (wrapping for integers).
template <class T> void plain_gemm(const GemmArgs& g, const T* a, const T* b, T* c) {
  for (int64_t i = 0; i < g.m; ++i) {
    for (int64_t j = 0; j < g.n; ++j) {
      T acc = T(0);
      for (int64_t p = 0; p < g.k; ++p) {
        T x = g.trans_a ? a[p * g.lda + i] : a[i * g.lda + p];
        T y = g.trans_b ? b[j * g.ldb + p] : b[p * g.ldb + j];
        acc = wrap_add(acc, wrap_mul(x, y));
      }
      T& out = c[i * g.ldc + j];
      if (g.alpha == 1.f && g.beta == 0.f) {
        out = acc;
      } else {
        double v = static_cast<double>(g.alpha) * static_cast<double>(acc);
        if (g.beta != 0.f) v += static_cast<double>(g.beta) * static_cast<double>(out);
        out = saturate_cast<T>(v);
      }
    }
  }
}

template <class F> void visit_matmul_dtype(const Node& n, DType t, F&& f) {
  switch (t) {
    case DType::f32: return f(TypeTag<float>{});
    case DType::f64: return f(TypeTag<double>{});
    case DType::i32: return f(TypeTag<int32_t>{});
    case DType::i64: return f(TypeTag<int64_t>{});
    case DType::u32: return f(TypeTag<uint32_t>{});
    case DType::u64: return f(TypeTag<uint64_t>{});
    default: unsupported(n, "%s on dtype %s is not supported", graph::op_name(n.op), dtype_name(t));
  }
}

template <class T> void gemm_any(const GemmArgs& g, const T* a, const T* b, T* c, ThreadPool* pool) {
  if constexpr (std::is_same_v<T, float>) {
    GemmArgs s = g;
    s.a = a;
    s.b = b;
    s.c = c;
    sgemm(s, pool);
  } else {
    plain_gemm<T>(g, a, b, c);
  }
}

}  // namespace

Outputs op_Gemm(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& a = input(n, in, 0);
  const Tensor& b = input(n, in, 1);
  const Tensor* c = optional_input(in, 2);
  require_rank(n, a, 2, "A");
  require_rank(n, b, 2, "B");
  if (a.dtype() != b.dtype()) invalid(n, "A is %s but B is %s", dtype_name(a.dtype()), dtype_name(b.dtype()));
  GemmArgs g;
  g.trans_a = n.i("transA", 0) != 0;
  g.trans_b = n.i("transB", 0) != 0;
  g.alpha = n.f("alpha", 1.f);
  float beta = n.f("beta", 1.f);
  g.m = g.trans_a ? a.dim(1) : a.dim(0);
  g.k = g.trans_a ? a.dim(0) : a.dim(1);
  int64_t kb = g.trans_b ? b.dim(1) : b.dim(0);
  g.n = g.trans_b ? b.dim(0) : b.dim(1);
  if (kb != g.k) invalid(n, "A %s and B %s do not multiply (transA=%d, transB=%d)", shape_str(a.shape()).c_str(),
                         shape_str(b.shape()).c_str(), int(g.trans_a), int(g.trans_b));
  g.lda = a.dim(1);
  g.ldb = b.dim(1);
  g.ldc = g.n;
  Tensor y = make_output(n, a.dtype(), {g.m, g.n});
  if (c && beta != 0.f) {
    if (c->dtype() != a.dtype()) invalid(n, "C is %s but A is %s", dtype_name(c->dtype()), dtype_name(a.dtype()));
    if (broadcast_shape(n, {&c->shape(), &y.shape()}) != y.shape())
      invalid(n, "C %s does not broadcast to [%lld,%lld]", shape_str(c->shape()).c_str(), (long long)g.m, (long long)g.n);
    broadcast_copy(n, *c, y, ctx);
    g.beta = beta;
  }
  visit_matmul_dtype(n, a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    gemm_any<T>(g, a.data<T>(), b.data<T>(), y.data<T>(), ctx.pool);
  });
  return {y};
}

Outputs op_MatMul(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& a = input(n, in, 0);
  const Tensor& b = input(n, in, 1);
  if (a.dtype() != b.dtype()) invalid(n, "A is %s but B is %s", dtype_name(a.dtype()), dtype_name(b.dtype()));
  if (a.rank() == 0 || b.rank() == 0) invalid(n, "MatMul operands must have rank >= 1");
  Shape as = a.shape(), bs = b.shape();
  bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
  if (a_vec) as.insert(as.begin(), 1);
  if (b_vec) bs.push_back(1);
  int64_t m = as[as.size() - 2], k = as.back(), kb = bs[bs.size() - 2], nn = bs.back();
  if (k != kb) invalid(n, "A %s and B %s do not multiply", shape_str(a.shape()).c_str(), shape_str(b.shape()).c_str());
  Shape a_batch(as.begin(), as.end() - 2), b_batch(bs.begin(), bs.end() - 2);
  Shape batch = broadcast_shape(n, {&a_batch, &b_batch});
  Shape out = batch;
  if (!a_vec) out.push_back(m);
  if (!b_vec) out.push_back(nn);
  Tensor y = make_output(n, a.dtype(), out);
  int64_t batches = shape_numel(batch);
  if (y.numel() == 0) return {y};
  GemmArgs g;
  g.m = m;
  g.n = nn;
  g.k = k;
  g.lda = k;
  g.ldb = nn;
  g.ldc = nn;
  visit_matmul_dtype(n, a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* py = y.data<T>();
    if (shape_numel(b_batch) == 1) {  // weights shared by every batch: one tall GEMM
      GemmArgs s = g;
      s.m = m * batches;
      gemm_any<T>(s, pa, pb, py, ctx.pool);
      return;
    }
    // Batch offsets of A and B under broadcasting.
    Broadcast bc = make_broadcast(n, {&a_batch, &b_batch});
    Shape full = batch;
    Shape a_str(full.size(), 0), b_str(full.size(), 0);
    {
      Shape as_st = shape_strides(a_batch), bs_st = shape_strides(b_batch);
      size_t ao = full.size() - a_batch.size(), bo = full.size() - b_batch.size();
      for (size_t i = 0; i < full.size(); ++i) {
        if (i >= ao && a_batch[i - ao] != 1) a_str[i] = as_st[i - ao];
        if (i >= bo && b_batch[i - bo] != 1) b_str[i] = bs_st[i - bo];
      }
    }
    (void)bc;
    auto offsets = [&](int64_t t, int64_t& oa, int64_t& ob) {
      oa = ob = 0;
      for (size_t i = full.size(); i-- > 0;) {
        int64_t idx = t % full[i];
        t /= full[i];
        oa += idx * a_str[i];
        ob += idx * b_str[i];
      }
    };
    parallel_for(ctx, batches, grain_for(batches, m * nn * k, 1 << 20), [&](int64_t lo, int64_t hi) {
      for (int64_t t = lo; t < hi; ++t) {
        int64_t oa, ob;
        offsets(t, oa, ob);
        gemm_any<T>(g, pa + oa * m * k, pb + ob * k * nn, py + t * m * nn, ctx.pool);
      }
    });
  });
  return {y};
}

}  // namespace coda::exec::kern
