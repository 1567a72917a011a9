// Gemm (transA/transB/alpha/beta, C broadcast to [M,N]) and MatMul (numpy batch broadcasting,
// 1-D operands). float32 runs on sgemm; float64 and integer types on a plain loop.
#include <algorithm>

#include "coda/exec/activation.h"
#include "coda/exec/broadcast.h"
#include "coda/exec/elementwise.h"
#include "coda/exec/gemm_any.h"
#include "coda/exec/kernel_list.h"
#include "coda/exec/matmul_plan.h"

namespace coda::exec::kern {

namespace {

// Applies the node's fused activation (if any) to the whole output.
void apply_activation(const Node& n, Tensor& y, KernelContext& ctx) {
  const Activation act = fused_activation(n);
  if (act.kind == Activation::Kind::none) return;
  visit_float(n, y.dtype(), "output", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = y.data<T>();
    parallel_for(ctx, y.numel(), 1 << 15, [&](int64_t lo, int64_t hi) { act.apply(p + lo, hi - lo); });
  });
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
  Tensor y = make_uninit_output(n, a.dtype(), {g.m, g.n});
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
  apply_activation(n, y, ctx);
  return {y};
}

Outputs op_MatMul(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& a = input(n, in, 0);
  const Tensor& b = input(n, in, 1);
  if (a.dtype() != b.dtype()) invalid(n, "A is %s but B is %s", dtype_name(a.dtype()), dtype_name(b.dtype()));
  MatMulPlan p = plan_matmul(n, a.shape(), b.shape());
  Tensor y = make_uninit_output(n, a.dtype(), p.out);
  if (y.numel() == 0) return {y};
  GemmArgs g;
  g.m = p.m;
  g.n = p.n;
  g.k = p.k;
  g.lda = p.k;
  g.ldb = p.n;
  g.ldc = p.n;
  visit_matmul_dtype(n, a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* py = y.data<T>();
    if (p.b_shared) {  // weights shared by every batch: one tall GEMM
      GemmArgs s = g;
      s.m = p.m * p.batches;
      gemm_any<T>(s, pa, pb, py, ctx.pool);
      return;
    }
    parallel_for(ctx, p.batches, grain_for(p.batches, p.m * p.n * p.k, 1 << 20), [&](int64_t lo, int64_t hi) {
      for (int64_t t = lo; t < hi; ++t) {
        int64_t oa, ob;
        p.offsets(t, oa, ob);
        gemm_any<T>(g, pa + oa, pb + ob, py + t * p.m * p.n, ctx.pool);
      }
    });
  });
  apply_activation(n, y, ctx);
  return {y};
}

}  // namespace coda::exec::kern
