// Conv (float32 / float64): groups, strides, dilations, pads and auto_pad, 1-D to 3-D. im2col over
// output-position blocks followed by GEMM; depthwise convolutions run directly.
#include <algorithm>
#include <vector>

#include "coda/exec/activation.h"
#include "coda/exec/conv_geometry.h"
#include "coda/exec/elementwise.h"
#include "coda/exec/gemm_any.h"
#include "coda/exec/im2col.h"
#include "coda/exec/kernel_list.h"

namespace coda::exec::kern {

namespace {

// One channel of a depthwise convolution: y[p] = bias + sum over taps of w * x.
template <class T> void depthwise_channel(const WindowGeometry& g, const T* x, const T* w, T bias, T* y) {
  const int64_t D = g.in[0], H = g.in[1], W = g.in[2], OD = g.out[0], OH = g.out[1], OW = g.out[2];
  for (int64_t p = 0; p < g.out_size(); ++p) y[p] = bias;
  for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
    for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
      for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
        const T wv = w[(kd * g.kernel[1] + kh) * g.kernel[2] + kw];
        const int64_t dw = kw * g.dilation[2] - g.pad_begin[2];
        for (int64_t od = 0; od < OD; ++od) {
          const int64_t id = od * g.stride[0] + kd * g.dilation[0] - g.pad_begin[0];
          if (id < 0 || id >= D) continue;
          for (int64_t oh = 0; oh < OH; ++oh) {
            const int64_t ih = oh * g.stride[1] + kh * g.dilation[1] - g.pad_begin[1];
            if (ih < 0 || ih >= H) continue;
            const T* row = x + (id * H + ih) * W;
            T* out = y + (od * OH + oh) * OW;
            // Output columns whose input column lies inside [0, W).
            int64_t lo = 0, hi = OW;
            while (lo < hi && lo * g.stride[2] + dw < 0) ++lo;
            while (hi > lo && (hi - 1) * g.stride[2] + dw >= W) --hi;
            for (int64_t ow = lo; ow < hi; ++ow) out[ow] += wv * row[ow * g.stride[2] + dw];
          }
        }
      }
}

template <class T>
void conv_forward(const ConvShape& s, const T* x, const T* w, const T* bias, T* y, const Activation& act,
                  KernelContext& ctx) {
  const WindowGeometry& g = s.geo;
  const int64_t P = g.out_size(), K = g.kernel_size(), kdim = s.cg * K, in_size = g.in_size();
  if (P == 0 || s.batch == 0 || s.filters == 0) return;
  if (s.cg == 1 && s.mg == 1) {  // depthwise
    const int64_t chans = s.batch * s.channels;
    parallel_for(ctx, chans, grain_for(chans, P * K), [&](int64_t lo, int64_t hi) {
      for (int64_t t = lo; t < hi; ++t) {
        int64_t c = t % s.channels;
        depthwise_channel<T>(g, x + t * in_size, w + c * K, bias ? bias[c] : T(0), y + t * P);
        act.apply(y + t * P, P);
      }
    });
    return;
  }
  const bool pointwise = g.is_pointwise();
  const int64_t pc = pointwise ? P : std::min<int64_t>(P, std::max<int64_t>(64, ((1 << 20) / std::max<int64_t>(kdim, 1)) / 64 * 64));
  const int64_t blocks = (P + pc - 1) / pc, tasks = s.batch * s.group * blocks;
  const bool whole_image = blocks == 1 && im2col_image_fits(g, 1 << 16);
  parallel_for(ctx, tasks, 1, [&](int64_t lo, int64_t hi) {
    std::vector<T> col, plane;
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t nb = t / (s.group * blocks), gi = (t / blocks) % s.group, p0 = (t % blocks) * pc;
      const int64_t len = std::min(pc, P - p0);
      const T* xg = x + (nb * s.channels + gi * s.cg) * in_size;
      T* yg = y + (nb * s.filters + gi * s.mg) * P + p0;
      GemmArgs a;
      a.m = s.mg;
      a.n = len;
      a.k = kdim;
      a.lda = kdim;
      a.ldc = P;
      const T* b;
      if (pointwise) {
        b = xg + p0;
        a.ldb = P;
      } else {
        col.resize(static_cast<size_t>(kdim * len));
        if (whole_image) {
          plane.resize(static_cast<size_t>((g.in[1] + g.pad_begin[1] + g.pad_end[1]) * (g.in[2] + g.pad_begin[2] + g.pad_end[2])));
          im2col_image<T>(g, xg, s.cg, T(0), plane.data(), col.data());
        } else {
          im2col<T>(g, xg, s.cg, p0, p0 + len, T(0), col.data());
        }
        b = col.data();
        a.ldb = len;
      }
      gemm_any<T>(a, w + gi * s.mg * kdim, b, yg, ctx.pool);
      for (int64_t m = 0; m < s.mg; ++m) {
        T* row = yg + m * P;
        if (bias) {
          const T bv = bias[gi * s.mg + m];
          for (int64_t i = 0; i < len; ++i) row[i] += bv;
        }
        act.apply(row, len);
      }
    }
  });
}

}  // namespace

Outputs op_Conv(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  const Tensor& w = input(n, in, 1);
  const Tensor* b = optional_input(in, 2);
  if (w.dtype() != x.dtype()) invalid(n, "weights are %s but input is %s", dtype_name(w.dtype()), dtype_name(x.dtype()));
  ConvShape s = conv_shape(n, x.shape(), w.shape());
  if (b && (b->dtype() != x.dtype() || b->rank() != 1 || b->dim(0) != s.filters))
    invalid(n, "bias must be a %s vector of %lld, got %s %s", dtype_name(x.dtype()), (long long)s.filters,
            dtype_name(b->dtype()), shape_str(b->shape()).c_str());
  const Activation act = fused_activation(n);
  Shape out{s.batch, s.filters};
  for (int64_t d : s.geo.out_shape()) out.push_back(d);
  Tensor y = make_uninit_output(n, x.dtype(), out);
  visit_float(n, x.dtype(), "input", [&](auto tag) {
    using T = typename decltype(tag)::type;
    conv_forward<T>(s, x.data<T>(), w.data<T>(), b ? b->data<T>() : nullptr, y.data<T>(), act, ctx);
  });
  return {y};
}

}  // namespace coda::exec::kern
