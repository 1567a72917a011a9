// QuantizeLinear and DequantizeLinear, per tensor or per axis (opset 13), uint8 / int8 (and int32
// input for DequantizeLinear). Quantisation is ONNX Runtime's: x / scale in float, clamp to the
// range shifted by the zero point, round half to even, add the zero point.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "coda/exec/kernel_list.h"
#include "coda/exec/quant_util.h"

namespace coda::exec::kern {

namespace {

// Channels and the run length of one channel for a per-axis parameter of `numel` values.
void axis_layout(const Node& n, const Tensor& x, int64_t param_numel, int64_t& channels, int64_t& inner) {
  channels = 1;
  inner = std::max<int64_t>(x.numel(), 1);
  if (param_numel <= 1) return;
  const int64_t axis = normalize_axis(n, n.i("axis", 1), x.rank());
  channels = x.dim(axis);
  inner = 1;
  for (int64_t i = axis + 1; i < x.rank(); ++i) inner *= x.dim(i);
  if (param_numel != channels)
    invalid(n, "per-axis scale has %lld values but axis %lld has %lld", (long long)param_numel, (long long)axis, (long long)channels);
}

// Calls f(channel, begin, end) for each run [begin, end) of consecutive elements of one channel in [lo, hi).
template <class F>
void for_each_channel_run(int64_t lo, int64_t hi, int64_t inner, int64_t channels, F&& f) {
  for (int64_t i = lo; i < hi;) {
    const int64_t end = std::min(hi, (i / inner + 1) * inner);
    f((i / inner) % channels, i, end);
    i = end;
  }
}

}  // namespace

Outputs op_QuantizeLinear(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  const Tensor& s = input(n, in, 1);
  int64_t channels, inner;
  axis_layout(n, x, s.numel(), channels, inner);
  QuantScale scale = scale_input(n, in, 1, "y_scale", channels);
  QuantZeroPoint zp = zero_point_input(n, in, 2, "y_zero_point", channels);
  if (const Tensor* z = optional_input(in, 2); z && z->numel() != s.numel())
    invalid(n, "y_scale and y_zero_point have different sizes");
  int32_t qmin, qmax;
  quant_range(n, zp.dtype, qmin, qmax);
  if (zp.dtype == DType::i32) unsupported(n, "QuantizeLinear to int32 is not supported");
  Tensor y = make_uninit_output(n, zp.dtype, x.shape());
  // Runs of one channel with its scale and zero point hoisted, so that the loop vectorises. Rounding
  // adds and subtracts 1.5 * 2^23: round half to even (as nearbyint) for the clamped |v| < 2^22.
  auto run = [&](const auto* px, auto* py) {
    using Q = std::remove_reference_t<decltype(py[0])>;
    parallel_for(ctx, x.numel(), 1 << 15, [&](int64_t lo, int64_t hi) {
      for_each_channel_run(lo, hi, inner, channels, [&](int64_t c, int64_t i, int64_t end) {
        const int32_t z = zp.at(c);
        const float sc = scale.at(c);
        const float fl = static_cast<float>(qmin - z), fh = static_cast<float>(qmax - z);
        constexpr float kMagic = 12582912.f;
        const auto* src = px;  // local copies: stores of bytes could alias the captured pointers
        Q* dst = py;
        for (int64_t k = i; k < end; ++k) {
          float v = static_cast<float>(src[k]) / sc;
          v = v > fl ? v : fl;  // NaN -> the low end, as MLAS's max/min
          v = v < fh ? v : fh;
          const float r = (v + kMagic) - kMagic;
          dst[k] = static_cast<Q>(static_cast<int32_t>(r) + z);
        }
      });
    });
  };
  auto out = [&](const auto* px) {
    if (zp.dtype == DType::u8) run(px, y.data<uint8_t>());
    else run(px, y.data<int8_t>());
  };
  if (x.dtype() == DType::f32) out(x.data<float>());
  else if (x.dtype() == DType::i32) out(x.data<int32_t>());
  else unsupported(n, "QuantizeLinear input of dtype %s is not supported", dtype_name(x.dtype()));
  return {y};
}

Outputs op_DequantizeLinear(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  const Tensor& s = input(n, in, 1);
  int64_t channels, inner;
  axis_layout(n, x, s.numel(), channels, inner);
  QuantScale scale = scale_input(n, in, 1, "x_scale", channels);
  QuantZeroPoint zp = zero_point_input(n, in, 2, "x_zero_point", channels, x.dtype());
  if (optional_input(in, 2) && zp.dtype != x.dtype())
    invalid(n, "x is %s but x_zero_point is %s", dtype_name(x.dtype()), dtype_name(zp.dtype));
  Tensor y = make_uninit_output(n, DType::f32, x.shape());
  float* py = y.data<float>();
  auto run = [&](const auto* px) {
    parallel_for(ctx, x.numel(), 1 << 15, [&](int64_t lo, int64_t hi) {
      for_each_channel_run(lo, hi, inner, channels, [&](int64_t c, int64_t i, int64_t end) {
        const int32_t z = zp.at(c);
        const float sc = scale.at(c);
        using X = std::remove_cv_t<std::remove_reference_t<decltype(px[0])>>;
        using Wide = std::conditional_t<sizeof(X) < 4, int32_t, int64_t>;  // int32 x - zero point may overflow int32
        for (int64_t k = i; k < end; ++k) py[k] = static_cast<float>(static_cast<Wide>(px[k]) - z) * sc;
      });
    });
  };
  switch (x.dtype()) {
    case DType::u8: run(x.data<uint8_t>()); break;
    case DType::i8: run(x.data<int8_t>()); break;
    case DType::i32: run(x.data<int32_t>()); break;
    default: unsupported(n, "DequantizeLinear input of dtype %s is not supported", dtype_name(x.dtype()));
  }
  return {y};
}

}  // namespace coda::exec::kern
