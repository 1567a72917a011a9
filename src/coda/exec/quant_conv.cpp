// ConvInteger (int32 output) and QLinearConv (requantised uint8 / int8 output): im2col over the
// zero-point-centred int16 input and an int32 GEMM; weight zero points and scales per tensor or
// per output channel; QLinearConv's int32 bias is added before requantisation.
#include <algorithm>
#include <vector>

#include "coda/exec/conv_geometry.h"
#include "coda/exec/im2col.h"
#include "coda/exec/kernel_list.h"
#include "coda/exec/quant_util.h"

namespace coda::exec::kern {

namespace {

// acc [N, M, P] = conv(x - x_zp, w - w_zp) in int32.
std::vector<int32_t> integer_conv(const Node& n, const ConvShape& s, const Tensor& x, const QuantZeroPoint& xzp,
                                  const Tensor& w, const QuantZeroPoint& wzp, KernelContext& ctx) {
  const WindowGeometry& g = s.geo;
  const int64_t P = g.out_size(), K = g.kernel_size(), kdim = s.cg * K, in_size = g.in_size();
  std::vector<int16_t> xc = centered_i16(n, x, xzp, std::max<int64_t>(x.numel(), 1), 1);
  std::vector<int16_t> wc = centered_i16(n, w, wzp, kdim, s.filters);
  std::vector<int32_t> acc(static_cast<size_t>(s.batch * s.filters * P));
  if (acc.empty()) return acc;
  const bool pointwise = g.is_pointwise();
  const int64_t pc = pointwise ? P : std::min<int64_t>(P, std::max<int64_t>(64, ((1 << 20) / std::max<int64_t>(kdim, 1)) / 64 * 64));
  const int64_t blocks = (P + pc - 1) / pc, tasks = s.batch * s.group * blocks;
  parallel_for(ctx, tasks, 1, [&](int64_t lo, int64_t hi) {
    std::vector<int16_t> col;
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t nb = t / (s.group * blocks), gi = (t / blocks) % s.group, p0 = (t % blocks) * pc;
      const int64_t len = std::min(pc, P - p0);
      const int16_t* xg = xc.data() + (nb * s.channels + gi * s.cg) * in_size;
      const int16_t* b;
      int64_t ldb;
      if (pointwise) {
        b = xg + p0;
        ldb = P;
      } else {
        col.resize(static_cast<size_t>(kdim * len));
        im2col<int16_t>(g, xg, s.cg, p0, p0 + len, 0, col.data());
        b = col.data();
        ldb = len;
      }
      igemm(s.mg, len, kdim, wc.data() + gi * s.mg * kdim, kdim, b, ldb,
            acc.data() + (nb * s.filters + gi * s.mg) * P + p0, P, ctx);
    }
  });
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
    for (int64_t t = 0; t < planes; ++t) {
      const int64_t m = t % s.filters;
      const float scale = xs.values[0] * ws.at(m) / ys.values[0];
      const uint32_t bv = bias ? static_cast<uint32_t>(bias[m]) : 0u;
      for (int64_t i = t * P; i < (t + 1) * P; ++i) {
        const int32_t a = static_cast<int32_t>(static_cast<uint32_t>(acc[i]) + bv);
        py[i] = static_cast<std::remove_reference_t<decltype(*py)>>(requantize(a, scale, yzp.values[0], qmin, qmax));
      }
    }
  };
  if (yzp.dtype == DType::u8) store(y.data<uint8_t>());
  else store(y.data<int8_t>());
  return {y};
}

}  // namespace coda::exec::kern
