// Softmax and LogSoftmax: opset >= 13 normalise along one axis (default -1); older opsets coerce
// the input to 2-D at `axis` (default 1) and normalise each row. The opset comes from the node's
// "_opset" attribute. float32 lines use vexp; strided lines are gathered first.
#include <cmath>
#include <limits>
#include <vector>

#include "coda/exec/elementwise.h"
#include "coda/exec/kernel_list.h"
#include "coda/exec/lane_sum.h"
#include "coda/exec/vecmath.h"

namespace coda::exec::kern {

namespace {

// One contiguous float line, y may equal x; tmp holds len floats.
template <bool kLog> void softmax_line_f32(const float* x, float* y, int64_t len, float* tmp) {
  const float mx = lane_max(x, len);
  for (int64_t i = 0; i < len; ++i) tmp[i] = x[i] - mx;
  if (kLog) {
    for (int64_t i = 0; i < len; ++i) y[i] = tmp[i];
    vexp(tmp, tmp, len);
    const float lse = static_cast<float>(std::log(lane_sum(tmp, len)));
    for (int64_t i = 0; i < len; ++i) y[i] -= lse;
  } else {
    vexp(tmp, tmp, len);
    const float inv = static_cast<float>(1.0 / lane_sum(tmp, len));
    for (int64_t i = 0; i < len; ++i) y[i] = tmp[i] * inv;
  }
}

// float64: len elements spaced `stride` apart, with std::exp.
template <bool kLog> void softmax_line_f64(const double* x, double* y, int64_t len, int64_t stride) {
  double mx = -std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < len; ++i) mx = std::max(mx, x[i * stride]);
  double sum = 0;
  for (int64_t i = 0; i < len; ++i) sum += std::exp(x[i * stride] - mx);
  if (kLog) {
    const double lse = std::log(sum);
    for (int64_t i = 0; i < len; ++i) y[i * stride] = x[i * stride] - mx - lse;
  } else {
    for (int64_t i = 0; i < len; ++i) y[i * stride] = std::exp(x[i * stride] - mx) / sum;
  }
}

template <bool kLog> Outputs softmax(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  Tensor y = make_uninit_output(n, x.dtype(), x.shape());
  const bool legacy = opset(n) < 13;
  const int64_t rank = std::max<int64_t>(x.rank(), 1);
  const int64_t axis = normalize_axis(n, n.i("axis", legacy ? 1 : -1), rank);
  int64_t outer = 1, len = 1, inner = 1;
  for (int64_t i = 0; i < x.rank(); ++i) {
    if (i < axis) outer *= x.dim(i);
    else if (i == axis || legacy) len *= x.dim(i);
    else inner *= x.dim(i);
  }
  if (x.numel() == 0) return {y};
  const int64_t lines = outer * inner;
  if (x.dtype() == DType::f64) {
    const double* px = x.data<double>();
    double* py = y.data<double>();
    parallel_for(ctx, lines, grain_for(lines, len), [&](int64_t lo, int64_t hi) {
      for (int64_t t = lo; t < hi; ++t) {
        const int64_t off = (t / inner) * len * inner + t % inner;
        softmax_line_f64<kLog>(px + off, py + off, len, inner);
      }
    });
    return {y};
  }
  require_float(n, x, "input");
  const float* px = x.data<float>();
  float* py = y.data<float>();
  if (inner == 1) {  // contiguous lines: one vexp over the whole chunk
    parallel_for(ctx, lines, grain_for(lines, len), [&](int64_t lo, int64_t hi) {
      const int64_t count = (hi - lo) * len;
      std::vector<float> e(kLog ? static_cast<size_t>(count) : 0);
      float* z = py + lo * len;           // x - max
      float* ex = kLog ? e.data() : z;    // exp(x - max)
      for (int64_t t = lo; t < hi; ++t) {
        const float* xl = px + t * len;
        const float mx = lane_max(xl, len);
        float* zl = py + t * len;
        for (int64_t i = 0; i < len; ++i) zl[i] = xl[i] - mx;
      }
      vexp(z, ex, count);
      for (int64_t t = 0; t < hi - lo; ++t) {
        const float* el = ex + t * len;
        float* yl = z + t * len;
        if (kLog) {
          const float lse = static_cast<float>(std::log(lane_sum(el, len)));
          for (int64_t i = 0; i < len; ++i) yl[i] -= lse;
        } else {
          const float inv = static_cast<float>(1.0 / lane_sum(el, len));
          for (int64_t i = 0; i < len; ++i) yl[i] *= inv;
        }
      }
    });
    return {y};
  }
  parallel_for(ctx, lines, grain_for(lines, len), [&](int64_t lo, int64_t hi) {
    std::vector<float> tmp(static_cast<size_t>(len)), line(static_cast<size_t>(len));
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t off = (t / inner) * len * inner + t % inner;
      for (int64_t i = 0; i < len; ++i) line[i] = px[off + i * inner];
      softmax_line_f32<kLog>(line.data(), line.data(), len, tmp.data());
      for (int64_t i = 0; i < len; ++i) py[off + i * inner] = line[i];
    }
  });
  return {y};
}

}  // namespace

Outputs op_Softmax(const Node& n, const Inputs& in, KernelContext& ctx) { return softmax<false>(n, in, ctx); }
Outputs op_LogSoftmax(const Node& n, const Inputs& in, KernelContext& ctx) { return softmax<true>(n, in, ctx); }

}  // namespace coda::exec::kern
