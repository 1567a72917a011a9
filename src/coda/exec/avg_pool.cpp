// AveragePool (count_include_pad, ceil_mode, dilations), 1-D to 3-D, tap-major rows summed in
// double; GlobalAveragePool and GlobalMaxPool.
#include <algorithm>
#include <limits>
#include <vector>

#include "coda/exec/elementwise.h"
#include "coda/exec/kernel_list.h"
#include "coda/exec/pool_window.h"

namespace coda::exec::kern {

namespace {

template <class T>
void avg_pool_plane(const WindowGeometry& g, const TapRanges& t, const T* x, T* y, bool count_include_pad) {
  const int64_t H = g.in[1], W = g.in[2], OW = g.out[2], sw = g.stride[2];
  // Taps per axis counted with count_include_pad: the window clipped to the padded input.
  auto padded_taps = [&](int a, int64_t o) {
    const int64_t start = o * g.stride[a] - g.pad_begin[a];
    const int64_t end = std::min(start + (g.kernel[a] - 1) * g.dilation[a] + 1, g.in[a] + g.pad_end[a]);
    return (end - start + g.dilation[a] - 1) / g.dilation[a];
  };
  std::vector<int64_t> col_lo(static_cast<size_t>(g.kernel[2])), col_hi(static_cast<size_t>(g.kernel[2]));
  for (int64_t kw = 0; kw < g.kernel[2]; ++kw) column_range(g, kw, col_lo[kw], col_hi[kw]);
  std::vector<double> acc(static_cast<size_t>(OW));
  for (int64_t od = 0; od < g.out[0]; ++od)
    for (int64_t oh = 0; oh < g.out[1]; ++oh) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t kd = t.k0[0][od]; kd < t.k1[0][od]; ++kd)
        for (int64_t kh = t.k0[1][oh]; kh < t.k1[1][oh]; ++kh) {
          const T* xr = x + ((t.base[0][od] + kd * g.dilation[0]) * H + t.base[1][oh] + kh * g.dilation[1]) * W;
          for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
            const int64_t off = kw * g.dilation[2] - g.pad_begin[2];
            for (int64_t ow = col_lo[kw]; ow < col_hi[kw]; ++ow) acc[ow] += static_cast<double>(xr[ow * sw + off]);
          }
        }
      const int64_t rows = (t.k1[0][od] - t.k0[0][od]) * (t.k1[1][oh] - t.k0[1][oh]);
      const int64_t padded_rows = count_include_pad ? padded_taps(0, od) * padded_taps(1, oh) : 0;
      T* yr = y + (od * g.out[1] + oh) * OW;
      for (int64_t ow = 0; ow < OW; ++ow) {
        const int64_t div = count_include_pad ? padded_rows * padded_taps(2, ow) : rows * (t.k1[2][ow] - t.k0[2][ow]);
        yr[ow] = div > 0 ? static_cast<T>(acc[ow] / static_cast<double>(div)) : T(0);
      }
    }
}

}  // namespace

Outputs op_AveragePool(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  WindowGeometry g = pool_geometry(n, x);
  Tensor y = make_uninit_output(n, x.dtype(), pooled_shape(x, g));
  bool include_pad = n.i("count_include_pad", 0) != 0;
  const int64_t planes = x.dim(0) * x.dim(1), P = g.out_size(), S = g.in_size();
  const TapRanges taps = tap_ranges(g);
  visit_float(n, x.dtype(), "input", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = x.data<T>();
    T* py = y.data<T>();
    parallel_for(ctx, planes, grain_for(planes, P * g.kernel_size()), [&](int64_t lo, int64_t hi) {
      for (int64_t t = lo; t < hi; ++t) avg_pool_plane<T>(g, taps, px + t * S, py + t * P, include_pad);
    });
  });
  return {y};
}

namespace {

template <bool kMax> Outputs global_pool(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  if (x.rank() < 2) invalid(n, "input must have rank >= 2 (N, C, spatial...), got %s", shape_str(x.shape()).c_str());
  Shape out{x.dim(0), x.dim(1)};
  out.resize(static_cast<size_t>(x.rank()), 1);
  Tensor y = make_uninit_output(n, x.dtype(), out);
  const int64_t planes = x.dim(0) * x.dim(1), S = planes ? x.numel() / planes : 0;
  visit_float(n, x.dtype(), "input", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = x.data<T>();
    T* py = y.data<T>();
    parallel_for(ctx, planes, grain_for(planes, S), [&](int64_t lo, int64_t hi) {
      for (int64_t t = lo; t < hi; ++t) {
        const T* p = px + t * S;
        if constexpr (kMax) {
          T m = -std::numeric_limits<T>::infinity();
          for (int64_t i = 0; i < S; ++i) m = (p[i] > m || p[i] != p[i]) ? p[i] : m;
          py[t] = m;
        } else {
          double s = 0;
          for (int64_t i = 0; i < S; ++i) s += static_cast<double>(p[i]);
          py[t] = S ? static_cast<T>(s / static_cast<double>(S)) : T(0);
        }
      }
    });
  });
  return {y};
}

}  // namespace

Outputs op_GlobalAveragePool(const Node& n, const Inputs& in, KernelContext& ctx) { return global_pool<false>(n, in, ctx); }
Outputs op_GlobalMaxPool(const Node& n, const Inputs& in, KernelContext& ctx) { return global_pool<true>(n, in, ctx); }

}  // namespace coda::exec::kern
