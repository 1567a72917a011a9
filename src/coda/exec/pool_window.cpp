#include "coda/exec/pool_window.h"

#include <algorithm>

namespace coda::exec::kern {

Shape pooled_shape(const Tensor& x, const WindowGeometry& g) {
  Shape out{x.dim(0), x.dim(1)};
  for (int64_t d : g.out_shape()) out.push_back(d);
  return out;
}

WindowGeometry pool_geometry(const Node& n, const Tensor& x) {
  if (x.rank() < 3) invalid(n, "input must have rank >= 3 (N, C, spatial...), got %s", shape_str(x.shape()).c_str());
  if (!n.has("kernel_shape")) invalid(n, "missing attribute 'kernel_shape'");
  return window_geometry(n, Shape(x.shape().begin() + 2, x.shape().end()), {}, n.i("ceil_mode", 0) != 0);
}

TapRanges tap_ranges(const WindowGeometry& g) {
  TapRanges t;
  for (int a = 0; a < 3; ++a) {
    for (int64_t o = 0; o < g.out[a]; ++o) {
      const int64_t base = o * g.stride[a] - g.pad_begin[a], d = g.dilation[a];
      // taps k with 0 <= base + k*d < in
      int64_t lo = base >= 0 ? 0 : (-base + d - 1) / d;
      int64_t hi = g.in[a] - base <= 0 ? 0 : (g.in[a] - base + d - 1) / d;
      lo = std::min(lo, g.kernel[a]);
      hi = std::clamp<int64_t>(hi, lo, g.kernel[a]);
      t.base[a].push_back(base);
      t.k0[a].push_back(lo);
      t.k1[a].push_back(hi);
    }
  }
  return t;
}

void column_range(const WindowGeometry& g, int64_t kw, int64_t& lo, int64_t& hi) {
  const int64_t off = kw * g.dilation[2] - g.pad_begin[2], s = g.stride[2], W = g.in[2];
  lo = off >= 0 ? 0 : (-off + s - 1) / s;
  hi = W - off <= 0 ? 0 : (W - off + s - 1) / s;
  lo = std::min(lo, g.out[2]);
  hi = std::clamp(hi, lo, g.out[2]);
}

}  // namespace coda::exec::kern
