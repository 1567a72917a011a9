// MatMulInteger (int32 output) and QLinearMatMul (requantised uint8 / int8 output): uint8 / int8
// operands, zero points per tensor, per row of A or per column of B, numpy batch broadcasting.
#include <vector>

#include "coda/exec/kernel_list.h"
#include "coda/exec/matmul_plan.h"
#include "coda/exec/quant_util.h"

namespace coda::exec::kern {

namespace {

// acc (int32, shape p.out) = (A - a_zp) (B - b_zp), a_zp per row of A, b_zp per column of B.
std::vector<int32_t> integer_matmul(const Node& n, const MatMulPlan& p, const Tensor& a, const QuantZeroPoint& azp,
                                    const Tensor& b, const QuantZeroPoint& bzp, KernelContext& ctx) {
  std::vector<int16_t> ac = centered_i16(n, a, azp, p.k, p.m);
  std::vector<int16_t> bc = centered_i16(n, b, bzp, 1, p.n);
  std::vector<int32_t> acc(static_cast<size_t>(shape_numel(p.out)));
  if (acc.empty()) return acc;
  if (p.b_shared) {
    igemm(p.m * p.batches, p.n, p.k, ac.data(), p.k, bc.data(), p.n, acc.data(), p.n, ctx);
    return acc;
  }
  for (int64_t t = 0; t < p.batches; ++t) {
    int64_t oa, ob;
    p.offsets(t, oa, ob);
    igemm(p.m, p.n, p.k, ac.data() + oa, p.k, bc.data() + ob, p.n, acc.data() + t * p.m * p.n, p.n, ctx);
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
    for (int64_t r = 0; r < rows; ++r) {
      const float sa = as.at(r % p.m);
      for (int64_t j = 0; j < p.n; ++j) {
        const float scale = sa * bs.at(j) / ys.values[0];
        const int64_t i = r * p.n + j;
        py[i] = static_cast<std::remove_reference_t<decltype(*py)>>(requantize(acc[i], scale, yzp.values[0], qmin, qmax));
      }
    }
  };
  if (yzp.dtype == DType::u8) store(y.data<uint8_t>());
  else store(y.data<int8_t>());
  return {y};
}

}  // namespace coda::exec::kern
