// im2col for Conv / ConvInteger / QLinearConv and col2im for ConvTranspose, over the 3-D view of
// WindowGeometry. Column p of the im2col matrix is output position p; row (c, kd, kh, kw) holds the
// input element that kernel tap meets there, or `pad` outside the input.
//
//   im2col(geo, x_channels, channels, p0, p1, 0.f, col);   // col is [channels*K, p1-p0]
#pragma once
#include <algorithm>
#include <cstring>
#include <vector>

#include "coda/exec/conv_geometry.h"

namespace coda::exec::kern {

// dst[0, n) = src[0, n); short runs (an output row of a small image) inline instead of calling memcpy.
template <class T> inline void copy_run(T* dst, const T* src, int64_t n) {
  if (n <= 0) return;
  if (n * static_cast<int64_t>(sizeof(T)) > 128) {
    std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(T));
    return;
  }
  for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
}

// Fills col[row * (p1 - p0) + (p - p0)] for output positions p in [p0, p1).
template <class T>
void im2col(const WindowGeometry& g, const T* x, int64_t channels, int64_t p0, int64_t p1, T pad, T* col) {
  const int64_t D = g.in[0], H = g.in[1], W = g.in[2];
  const int64_t OH = g.out[1], OW = g.out[2], cols = p1 - p0;
  // The output-row segments of [p0, p1): (first depth / height input index, first ow, length).
  struct Segment {
    int64_t id0, ih0, ow0, len;
  };
  std::vector<Segment> segs;
  for (int64_t p = p0; p < p1;) {
    const int64_t od = p / (OH * OW), oh = (p / OW) % OH, ow0 = p % OW, len = std::min(OW - ow0, p1 - p);
    segs.push_back({od * g.stride[0], oh * g.stride[1], ow0, len});
    p += len;
  }
  const int64_t sw = g.stride[2];
  T* dst = col;
  for (int64_t c = 0; c < channels; ++c) {
    const T* xc = x + c * g.in_size();
    for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
      for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
          const int64_t dd = kd * g.dilation[0] - g.pad_begin[0], dh = kh * g.dilation[1] - g.pad_begin[1],
                        dw = kw * g.dilation[2] - g.pad_begin[2];
          // Output columns ow with 0 <= ow * sw + dw < W.
          const int64_t ow_lo = dw >= 0 ? 0 : (-dw + sw - 1) / sw;
          const int64_t ow_hi = W - dw <= 0 ? 0 : (W - dw + sw - 1) / sw;
          T* out = dst;  // out[i] is column ow0 + i of the current segment
          for (const Segment& sg : segs) {
            const int64_t id = sg.id0 + dd, ih = sg.ih0 + dh, ow0 = sg.ow0, end = ow0 + sg.len;
            if (id < 0 || id >= D || ih < 0 || ih >= H) {
              for (int64_t i = 0; i < sg.len; ++i) out[i] = pad;
            } else {
              const T* row = xc + (id * H + ih) * W;
              const int64_t a = std::clamp(ow_lo, ow0, end), b = std::clamp(ow_hi, a, end);
              for (int64_t ow = ow0; ow < a; ++ow) out[ow - ow0] = pad;
              if (sw == 1) {
                copy_run(out + (a - ow0), row + a + dw, b - a);
              } else {
                for (int64_t ow = a; ow < b; ++ow) out[ow - ow0] = row[ow * sw + dw];
              }
              for (int64_t ow = b; ow < end; ++ow) out[ow - ow0] = pad;
            }
            out += sg.len;
          }
          dst += cols;
        }
  }
}

// im2col of a whole 1-D / 2-D image (g.in[0] == 1, all P = g.out_size() columns): each channel is
// first copied into a padded plane, so every column row is branch-free runs. `plane` holds
// (H + pads) * (W + pads) elements.
template <class T> void im2col_image(const WindowGeometry& g, const T* x, int64_t channels, T pad, T* plane, T* col) {
  const int64_t H = g.in[1], W = g.in[2], OH = g.out[1], OW = g.out[2], P = g.out_size();
  const int64_t Hp = H + g.pad_begin[1] + g.pad_end[1], Wp = W + g.pad_begin[2] + g.pad_end[2];
  const int64_t sh = g.stride[1], sw = g.stride[2];
  T* dst = col;
  for (int64_t c = 0; c < channels; ++c) {
    for (int64_t i = 0; i < Hp * Wp; ++i) plane[i] = pad;
    for (int64_t h = 0; h < H; ++h) copy_run(plane + (h + g.pad_begin[1]) * Wp + g.pad_begin[2], x + (c * H + h) * W, W);
    for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
      for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
        const T* base = plane + kh * g.dilation[1] * Wp + kw * g.dilation[2];
        for (int64_t oh = 0; oh < OH; ++oh) {
          const T* row = base + oh * sh * Wp;
          T* out = dst + oh * OW;
          if (sw == 1) copy_run(out, row, OW);
          else
            for (int64_t ow = 0; ow < OW; ++ow) out[ow] = row[ow * sw];
        }
        dst += P;
      }
  }
}

// True when im2col_image applies: 1-D / 2-D, every pad >= 0, the padded plane no larger than `max`.
inline bool im2col_image_fits(const WindowGeometry& g, int64_t max_plane) {
  if (g.in[0] != 1 || g.kernel[0] != 1 || g.pad_begin[0] != 0 || g.pad_end[0] != 0) return false;
  for (int a = 1; a < 3; ++a)
    if (g.pad_begin[a] < 0 || g.pad_end[a] < 0) return false;
  return (g.in[1] + g.pad_begin[1] + g.pad_end[1]) * (g.in[2] + g.pad_begin[2] + g.pad_end[2]) <= max_plane;
}

// The inverse scatter for ConvTranspose: y[c, o] += col[(c, k), i] for every input position i and
// kernel tap k landing on output o (here g.in is ConvTranspose's output and g.out its input).
template <class T> void col2im(const WindowGeometry& g, const T* col, int64_t channels, T* y) {
  const int64_t D = g.in[0], H = g.in[1], W = g.in[2];
  const int64_t ID = g.out[0], IH = g.out[1], IW = g.out[2], P = g.out_size();
  const T* src = col;
  for (int64_t c = 0; c < channels; ++c) {
    T* yc = y + c * g.in_size();
    for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
      for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
          const int64_t dd = kd * g.dilation[0] - g.pad_begin[0], dh = kh * g.dilation[1] - g.pad_begin[1],
                        dw = kw * g.dilation[2] - g.pad_begin[2];
          for (int64_t i0 = 0; i0 < ID; ++i0) {
            const int64_t od = i0 * g.stride[0] + dd;
            if (od < 0 || od >= D) continue;
            for (int64_t i1 = 0; i1 < IH; ++i1) {
              const int64_t oh = i1 * g.stride[1] + dh;
              if (oh < 0 || oh >= H) continue;
              T* row = yc + (od * H + oh) * W;
              const T* s = src + (i0 * IH + i1) * IW;
              for (int64_t i2 = 0; i2 < IW; ++i2) {
                const int64_t ow = i2 * g.stride[2] + dw;
                if (ow >= 0 && ow < W) row[ow] += s[i2];
              }
            }
          }
          src += P;
        }
  }
}

}  // namespace coda::exec::kern
