// MatMulInteger (int32 output) and QLinearMatMul (requantised uint8 / int8 output): uint8 / int8
// operands, zero points per tensor, per row of A or per column of B, numpy batch broadcasting. The
// products run on qgemm (B packed once when every batch shares it) with the zero points folded in
// exactly (intops::gemm_zp).
#include <vector>

#include "coda/exec/int_ops.h"
#include "coda/exec/kernel_list.h"
#include "coda/exec/matmul_plan.h"
#include "coda/exec/quant_util.h"

namespace coda::exec::kern {

namespace {

// acc (int32, shape p.out) = (A - a_zp) (B - b_zp), a_zp per row of A, b_zp per column of B.
std::vector<int32_t> integer_matmul(const Node& n, const MatMulPlan& p, const Tensor& a, const QuantZeroPoint& azp,
                                    const Tensor& b, const QuantZeroPoint& bzp, KernelContext& ctx) {
  require_byte_zero_point(n, azp, "a_zero_point");
  require_byte_zero_point(n, bzp, "b_zero_point");
  std::vector<int32_t> acc(static_cast<size_t>(shape_numel(p.out)));
  if (acc.empty()) return acc;
  const qgemm::Isa isa = qgemm::best_isa();
  const auto* ap = static_cast<const uint8_t*>(a.raw());
  const auto* bp = static_cast<const uint8_t*>(b.raw());
  const bool as = a.dtype() == DType::i8, bs = b.dtype() == DType::i8;
  const int64_t bzn = static_cast<int64_t>(bzp.values.size());
  if (p.b_shared) {
    // Batches folded into rows; a per-row zero point repeats every p.m rows.
    std::vector<int32_t> az = azp.values;
    if (az.size() > 1)
      for (int64_t t = 1; t < p.batches; ++t) az.insert(az.end(), azp.values.begin(), azp.values.end());
    qgemm::PackedB packed;
    packed.assign(isa, p.k, p.n, bp, bs, p.n);
    intops::gemm_zp(p.m * p.batches, ap, as, p.k, az.data(), static_cast<int64_t>(az.size()), packed, bzp.values.data(), bzn,
                    acc.data(), p.n, ctx.pool);
    return acc;
  }
  // A B per batch (e.g. two activations): B flipped when A has its signedness, column sums only for
  // a non-zero a_zero_point.
  bool has_azp = false;
  for (int32_t v : azp.values) has_azp |= v != 0;
  qgemm::PackedB packed;
  for (int64_t t = 0; t < p.batches; ++t) {
    int64_t oa, ob;
    p.offsets(t, oa, ob);
    packed.assign(isa, p.k, p.n, bp + ob, bs, p.n, /*trans_b=*/false, /*flip=*/as == bs, /*col_sums=*/has_azp);
    intops::gemm_zp(p.m, ap + oa, as, p.k, azp.values.data(), static_cast<int64_t>(azp.values.size()), packed,
                    bzp.values.data(), bzn, acc.data() + t * p.m * p.n, p.n, ctx.pool);
  }
  return acc;
}

void require_quantized(const Node& n, const Tensor& t, const char* what) {
  require_dtype(n, t, {DType::u8, DType::i8}, what);
}

}  // namespace

Outputs op_MatMulInteger(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& a = input(n, in, 0);
  const Tensor& b = input(n, in, 1);
  require_quantized(n, a, "A");
  require_quantized(n, b, "B");
  MatMulPlan p = plan_matmul(n, a.shape(), b.shape());
  QuantZeroPoint azp = zero_point_input(n, in, 2, "a_zero_point", p.m, a.dtype());
  QuantZeroPoint bzp = zero_point_input(n, in, 3, "b_zero_point", p.n, b.dtype());
  if (azp.dtype != a.dtype() || bzp.dtype != b.dtype()) invalid(n, "zero points must have the dtypes of A and B");
  Tensor y = make_uninit_output(n, DType::i32, p.out);
  std::vector<int32_t> acc = integer_matmul(n, p, a, azp, b, bzp, ctx);
  std::copy(acc.begin(), acc.end(), y.data<int32_t>());
  return {y};
}

Outputs op_QLinearMatMul(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& a = input(n, in, 0);
  const Tensor& b = input(n, in, 3);
  require_quantized(n, a, "a");
  require_quantized(n, b, "b");
  MatMulPlan p = plan_matmul(n, a.shape(), b.shape());
  QuantScale as = scale_input(n, in, 1, "a_scale", p.m), bs = scale_input(n, in, 4, "b_scale", p.n);
  QuantScale ys = scale_input(n, in, 6, "y_scale", 1);
  QuantZeroPoint azp = zero_point_input(n, in, 2, "a_zero_point", p.m, a.dtype());
  QuantZeroPoint bzp = zero_point_input(n, in, 5, "b_zero_point", p.n, b.dtype());
  QuantZeroPoint yzp = zero_point_input(n, in, 7, "y_zero_point", 1, a.dtype());
  if (azp.dtype != a.dtype() || bzp.dtype != b.dtype()) invalid(n, "zero points must have the dtypes of a and b");
  int32_t qmin, qmax;
  quant_range(n, yzp.dtype, qmin, qmax);
  if (yzp.dtype != DType::u8 && yzp.dtype != DType::i8) unsupported(n, "y of dtype %s", dtype_name(yzp.dtype));
  Tensor y = make_uninit_output(n, yzp.dtype, p.out);
  std::vector<int32_t> acc = integer_matmul(n, p, a, azp, b, bzp, ctx);
  const int64_t rows = p.batches * p.m;
  auto store = [&](auto* py) {
    parallel_for(ctx, rows, grain_for(rows, p.n), [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; ++r) {
        const float sa = as.at(r % p.m);
        if (bs.values.size() == 1) {  // one scale for the row
          requantize_run(acc.data() + r * p.n, p.n, 0, sa * bs.values[0] / ys.values[0], yzp.values[0], qmin, qmax,
                         py + r * p.n);
          continue;
        }
        for (int64_t j = 0; j < p.n; ++j) {
          const float scale = sa * bs.at(j) / ys.values[0];
          const int64_t i = r * p.n + j;
          py[i] = static_cast<std::remove_reference_t<decltype(*py)>>(requantize(acc[i], scale, yzp.values[0], qmin, qmax));
        }
      }
    });
  };
  if (yzp.dtype == DType::u8) store(y.data<uint8_t>());
  else store(y.data<int8_t>());
  return {y};
}

}  // namespace coda::exec::kern
