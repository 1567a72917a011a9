// MaxPool, 1-D to 3-D: the Indices output (storage_order 0 / 1) per output window; without it,
// tap-major row loops (and a 2x2 / stride 2 special case) that vectorise.
#include <algorithm>
#include <limits>
#include <vector>

#include "coda/exec/kernel_list.h"
#include "coda/exec/pool_window.h"

namespace coda::exec::kern {

namespace {

// Index of a spatial position within its plane, row-major or (storage_order 1) column-major.
int64_t plane_index(const WindowGeometry& g, int64_t d, int64_t h, int64_t w, bool column_major) {
  if (!column_major) return (d * g.in[1] + h) * g.in[2] + w;
  return d + g.in[0] * (h + g.in[1] * w);
}

template <class T, bool kIndex>
void max_pool_plane(const WindowGeometry& g, const TapRanges& t, const T* x, T* y, int64_t* idx, int64_t base,
                    bool column_major) {
  T lowest = std::numeric_limits<T>::lowest();
  if constexpr (std::is_floating_point_v<T>) lowest = -std::numeric_limits<T>::infinity();
  const int64_t H = g.in[1], W = g.in[2], dd = g.dilation[0], dh = g.dilation[1], dw = g.dilation[2];
  int64_t p = 0;
  for (int64_t od = 0; od < g.out[0]; ++od)
    for (int64_t oh = 0; oh < g.out[1]; ++oh)
      for (int64_t ow = 0; ow < g.out[2]; ++ow, ++p) {
        T best = lowest;
        int64_t arg = -1;
        for (int64_t kd = t.k0[0][od]; kd < t.k1[0][od]; ++kd) {
          const int64_t id = t.base[0][od] + kd * dd;
          for (int64_t kh = t.k0[1][oh]; kh < t.k1[1][oh]; ++kh) {
            const int64_t ih = t.base[1][oh] + kh * dh;
            const int64_t row = (id * H + ih) * W + t.base[2][ow];
            for (int64_t kw = t.k0[2][ow]; kw < t.k1[2][ow]; ++kw) {
              const T v = x[row + kw * dw];
              if constexpr (kIndex) {
                if (v > best || arg < 0) {
                  best = v;
                  arg = plane_index(g, id, ih, t.base[2][ow] + kw * dw, column_major);
                }
              } else {
                best = v > best ? v : best;
              }
            }
          }
        }
        y[p] = best;
        if constexpr (kIndex) idx[p] = base + std::max<int64_t>(arg, 0);
      }
}

// yr[ow] = max(yr[ow], xr[ow * stride + off]) for ow in [lo, hi); kStride > 0 fixes the stride at
// compile time so the loop vectorises.
template <class T, int kStride>
void row_max(T* yr, const T* xr, int64_t off, int64_t lo, int64_t hi, int64_t stride) {
  const int64_t s = kStride > 0 ? kStride : stride;
  const T* src = xr + lo * s + off;
  T* dst = yr + lo;
  for (int64_t i = 0; i < hi - lo; ++i) {
    const T v = src[i * s];
    dst[i] = v > dst[i] ? v : dst[i];
  }
}

// The common 2x2 / stride 2 window without padding or dilation, one pass per output row.
template <class T> bool max_pool_2x2(const WindowGeometry& g, const T* x, T* y) {
  for (int a = 0; a < 3; ++a)
    if (g.dilation[a] != 1 || g.pad_begin[a] != 0 || g.pad_end[a] != 0) return false;
  if (g.kernel[0] != 1 || g.stride[0] != 1 || g.kernel[1] != 2 || g.kernel[2] != 2 || g.stride[1] != 2 ||
      g.stride[2] != 2 || 2 * g.out[1] > g.in[1] || 2 * g.out[2] > g.in[2])
    return false;
  const int64_t H = g.in[1], W = g.in[2], OH = g.out[1], OW = g.out[2];
  for (int64_t d = 0; d < g.out[0]; ++d)
    for (int64_t oh = 0; oh < OH; ++oh) {
      const T* r0 = x + (d * H + 2 * oh) * W;
      const T* r1 = r0 + W;
      T* yr = y + (d * OH + oh) * OW;
      for (int64_t ow = 0; ow < OW; ++ow) {
        const T a = r0[2 * ow] > r0[2 * ow + 1] ? r0[2 * ow] : r0[2 * ow + 1];
        const T b = r1[2 * ow] > r1[2 * ow + 1] ? r1[2 * ow] : r1[2 * ow + 1];
        yr[ow] = a > b ? a : b;
      }
    }
  return true;
}

// MaxPool without indices, tap-major: each output row takes the max over its kernel rows and
// columns with vectorisable strided loops.
template <class T> void max_pool_plane_rows(const WindowGeometry& g, const TapRanges& t, const T* x, T* y) {
  if (max_pool_2x2(g, x, y)) return;
  T lowest = std::numeric_limits<T>::lowest();
  if constexpr (std::is_floating_point_v<T>) lowest = -std::numeric_limits<T>::infinity();
  const int64_t H = g.in[1], W = g.in[2], OW = g.out[2], sw = g.stride[2];
  std::vector<int64_t> col_lo(static_cast<size_t>(g.kernel[2])), col_hi(static_cast<size_t>(g.kernel[2]));
  for (int64_t kw = 0; kw < g.kernel[2]; ++kw) column_range(g, kw, col_lo[kw], col_hi[kw]);
  for (int64_t od = 0; od < g.out[0]; ++od)
    for (int64_t oh = 0; oh < g.out[1]; ++oh) {
      T* yr = y + (od * g.out[1] + oh) * OW;
      for (int64_t ow = 0; ow < OW; ++ow) yr[ow] = lowest;
      for (int64_t kd = t.k0[0][od]; kd < t.k1[0][od]; ++kd)
        for (int64_t kh = t.k0[1][oh]; kh < t.k1[1][oh]; ++kh) {
          const T* xr = x + ((t.base[0][od] + kd * g.dilation[0]) * H + t.base[1][oh] + kh * g.dilation[1]) * W;
          for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
            const int64_t off = kw * g.dilation[2] - g.pad_begin[2];
            if (sw == 1) row_max<T, 1>(yr, xr, off, col_lo[kw], col_hi[kw], 1);
            else if (sw == 2) row_max<T, 2>(yr, xr, off, col_lo[kw], col_hi[kw], 2);
            else row_max<T, 0>(yr, xr, off, col_lo[kw], col_hi[kw], sw);
          }
        }
    }
}

}  // namespace

Outputs op_MaxPool(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  WindowGeometry g = pool_geometry(n, x);
  Tensor y = make_uninit_output(n, x.dtype(), pooled_shape(x, g));
  bool want_idx = n.outputs.size() > 1 && n.outputs[1] != graph::kNoValue;
  Tensor idx = want_idx ? make_uninit_output(n, DType::i64, y.shape()) : Tensor();
  bool column_major = n.i("storage_order", 0) != 0;
  const int64_t planes = x.dim(0) * x.dim(1), P = g.out_size(), S = g.in_size();
  const TapRanges taps = tap_ranges(g);
  auto run = [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = x.data<T>();
    T* py = y.data<T>();
    int64_t* pi = want_idx ? idx.data<int64_t>() : nullptr;
    parallel_for(ctx, planes, grain_for(planes, P * g.kernel_size()), [&](int64_t lo, int64_t hi) {
      for (int64_t t = lo; t < hi; ++t) {
        if (pi) max_pool_plane<T, true>(g, taps, px + t * S, py + t * P, pi + t * P, t * S, column_major);
        else max_pool_plane_rows<T>(g, taps, px + t * S, py + t * P);
      }
    });
  };
  switch (x.dtype()) {
    case DType::f32: run(TypeTag<float>{}); break;
    case DType::f64: run(TypeTag<double>{}); break;
    case DType::u8: run(TypeTag<uint8_t>{}); break;
    case DType::i8: run(TypeTag<int8_t>{}); break;
    default: unsupported(n, "MaxPool on dtype %s is not supported", dtype_name(x.dtype()));
  }
  if (want_idx) return {y, idx};
  return {y};
}

}  // namespace coda::exec::kern
