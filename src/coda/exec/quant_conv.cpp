// ConvInteger (int32 output) and QLinearConv (requantised uint8 / int8 output): the 8-bit integer
// convolution of int_ops.h (qgemm, or a direct depthwise loop) on the raw uint8 / int8
// data, zero points folded in exactly; weight zero points and scales per tensor or per output
// channel; QLinearConv's int32 bias is added before requantisation.
#include <algorithm>
#include <vector>

#include "coda/exec/conv_geometry.h"
#include "coda/exec/int_ops.h"
#include "coda/exec/kernel_list.h"
#include "coda/exec/quant_util.h"

namespace coda::exec::kern {

namespace {

// acc [N, M, P] = conv(x - x_zp, w - w_zp) in int32.
std::vector<int32_t> integer_conv(const Node& n, const ConvShape& s, const Tensor& x, const QuantZeroPoint& xzp,
                                  const Tensor& w, const QuantZeroPoint& wzp, KernelContext& ctx) {
  require_byte_zero_point(n, xzp, "x_zero_point");
  require_byte_zero_point(n, wzp, "w_zero_point");
  std::vector<int32_t> acc(static_cast<size_t>(s.batch * s.filters * s.geo.out_size()));
  if (acc.empty()) return acc;
  intops::conv_acc(s, x.raw(), x.dtype() == DType::i8, xzp.values[0], w.raw(), w.dtype() == DType::i8, wzp.values.data(),
                   static_cast<int64_t>(wzp.values.size()), acc.data(), ctx.pool, qgemm::best_isa());
  return acc;
}

Shape conv_out_shape(const ConvShape& s) {
  Shape out{s.batch, s.filters};
  for (int64_t d : s.geo.out_shape()) out.push_back(d);
  return out;
}

}  // namespace

Outputs op_ConvInteger(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  const Tensor& w = input(n, in, 1);
  require_dtype(n, x, {DType::u8, DType::i8}, "x");
  require_dtype(n, w, {DType::u8, DType::i8}, "w");
  ConvShape s = conv_shape(n, x.shape(), w.shape());
  QuantZeroPoint xzp = zero_point_input(n, in, 2, "x_zero_point", 1, x.dtype());
  QuantZeroPoint wzp = zero_point_input(n, in, 3, "w_zero_point", s.filters, w.dtype());
  Tensor y = make_uninit_output(n, DType::i32, conv_out_shape(s));
  std::vector<int32_t> acc = integer_conv(n, s, x, xzp, w, wzp, ctx);
  std::copy(acc.begin(), acc.end(), y.data<int32_t>());
  return {y};
}

Outputs op_QLinearConv(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  const Tensor& w = input(n, in, 3);
  require_dtype(n, x, {DType::u8, DType::i8}, "x");
  require_dtype(n, w, {DType::u8, DType::i8}, "w");
  ConvShape s = conv_shape(n, x.shape(), w.shape());
  QuantScale xs = scale_input(n, in, 1, "x_scale", 1), ws = scale_input(n, in, 4, "w_scale", s.filters);
  QuantScale ys = scale_input(n, in, 6, "y_scale", 1);
  QuantZeroPoint xzp = zero_point_input(n, in, 2, "x_zero_point", 1, x.dtype());
  QuantZeroPoint wzp = zero_point_input(n, in, 5, "w_zero_point", s.filters, w.dtype());
  QuantZeroPoint yzp = zero_point_input(n, in, 7, "y_zero_point", 1, x.dtype());
  int32_t qmin, qmax;
  quant_range(n, yzp.dtype, qmin, qmax);
  if (yzp.dtype != DType::u8 && yzp.dtype != DType::i8) unsupported(n, "y of dtype %s", dtype_name(yzp.dtype));
  const int32_t* bias = nullptr;
  if (const Tensor* b = optional_input(in, 8)) {
    require_dtype(n, *b, {DType::i32}, "B");
    if (b->numel() != s.filters) invalid(n, "B has %lld values, expected %lld", (long long)b->numel(), (long long)s.filters);
    bias = b->data<int32_t>();
  }
  Tensor y = make_uninit_output(n, yzp.dtype, conv_out_shape(s));
  std::vector<int32_t> acc = integer_conv(n, s, x, xzp, w, wzp, ctx);
  const int64_t P = s.geo.out_size(), planes = s.batch * s.filters;
  auto store = [&](auto* py) {
    parallel_for(ctx, planes, grain_for(planes, P), [&](int64_t lo, int64_t hi) {
      for (int64_t t = lo; t < hi; ++t) {
        const int64_t m = t % s.filters;
        const float scale = xs.values[0] * ws.at(m) / ys.values[0];
        requantize_run(acc.data() + t * P, P, bias ? bias[m] : 0, scale, yzp.values[0], qmin, qmax, py + t * P);
      }
    });
  };
  if (yzp.dtype == DType::u8) store(y.data<uint8_t>());
  else store(y.data<int8_t>());
  return {y};
}

}  // namespace coda::exec::kern
