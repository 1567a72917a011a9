#include "coda/exec/conv_geometry.h"

#include <algorithm>

namespace coda::exec::kern {

namespace {
bool pad_in_range(int64_t p) { return p >= -(int64_t{1} << 40) && p <= (int64_t{1} << 40); }
}  // namespace

Shape WindowGeometry::out_shape() const { return Shape(out.end() - rank, out.end()); }

bool WindowGeometry::is_pointwise() const {
  for (int i = 0; i < 3; ++i)
    if (kernel[i] != 1 || stride[i] != 1 || pad_begin[i] != 0 || pad_end[i] != 0) return false;
  return true;
}

namespace {

std::vector<int64_t> per_dim(const Node& n, const char* name, size_t rank, int64_t dflt) {
  std::vector<int64_t> v = n.ints(name, std::vector<int64_t>(rank, dflt));
  if (v.size() != rank) invalid(n, "%s has %zu values, expected %zu", name, v.size(), rank);
  return v;
}

}  // namespace

WindowGeometry window_geometry(const Node& n, const Shape& in_spatial, const Shape& kernel, bool ceil_mode) {
  size_t rank = in_spatial.size();
  if (rank == 0) invalid(n, "input has no spatial dimensions");
  if (rank > 3) unsupported(n, "%zu spatial dimensions (at most 3 are supported)", rank);
  std::vector<int64_t> k = n.ints("kernel_shape", kernel);
  if (k.size() != rank) invalid(n, "kernel_shape has %zu values, expected %zu", k.size(), rank);
  if (!kernel.empty() && k != kernel)
    invalid(n, "kernel_shape %s does not match the weights %s", shape_str(k).c_str(), shape_str(kernel).c_str());
  std::vector<int64_t> s = per_dim(n, "strides", rank, 1), d = per_dim(n, "dilations", rank, 1);
  std::vector<int64_t> pads = n.ints("pads", std::vector<int64_t>(2 * rank, 0));
  if (pads.size() != 2 * rank) invalid(n, "pads has %zu values, expected %zu", pads.size(), 2 * rank);
  std::string auto_pad = n.s("auto_pad", "NOTSET");
  WindowGeometry g;
  g.rank = static_cast<int64_t>(rank);
  size_t off = 3 - rank;
  for (size_t i = 0; i < rank; ++i) {
    int64_t in = in_spatial[i], ki = k[i], si = s[i], di = d[i];
    if (in < 0) invalid(n, "negative input size");
    if (ki < 1 || si < 1 || di < 1)
      invalid(n, "kernel, strides and dilations must be >= 1 (got %lld, %lld, %lld)", (long long)ki, (long long)si,
              (long long)di);
    if (ki > (int64_t{1} << 30) || di > (int64_t{1} << 30) || si > (int64_t{1} << 30)) invalid(n, "kernel, stride or dilation too large");
    int64_t span = (ki - 1) * di + 1;  // extent of the dilated kernel
    int64_t pb = pads[i], pe = pads[i + rank], out;
    if (!pad_in_range(pb) || !pad_in_range(pe)) invalid(n, "pads too large");
    if (auto_pad == "NOTSET") {
      if (pb < 0 || pe < 0) invalid(n, "pads must be >= 0");
      int64_t avail = in + pb + pe - span;
      if (avail < 0) invalid(n, "kernel extent %lld exceeds the padded input %lld", (long long)span, (long long)(in + pb + pe));
      if (ceil_mode) {
        out = (avail + si - 1) / si + 1;
        if ((out - 1) * si >= in + pb) --out;  // a last window starting in the end padding is dropped
      } else {
        out = avail / si + 1;
      }
    } else if (auto_pad == "VALID") {
      pb = pe = 0;
      if (in < span) invalid(n, "kernel extent %lld exceeds the input %lld", (long long)span, (long long)in);
      out = ceil_mode ? (in - span + si - 1) / si + 1 : (in - span) / si + 1;
    } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      out = (in + si - 1) / si;
      int64_t total = std::max<int64_t>(0, (out - 1) * si + span - in);
      pb = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pe = total - pb;
    } else {
      invalid(n, "auto_pad '%s' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID", auto_pad.c_str());
    }
    g.in[off + i] = in;
    g.kernel[off + i] = ki;
    g.stride[off + i] = si;
    g.dilation[off + i] = di;
    g.pad_begin[off + i] = pb;
    g.pad_end[off + i] = pe;
    g.out[off + i] = out;
  }
  return g;
}

ConvShape conv_shape(const Node& n, const Shape& x, const Shape& w) {
  if (x.size() < 3) invalid(n, "input must have rank >= 3 (N, C, spatial...), got %s", shape_str(x).c_str());
  if (w.size() != x.size()) invalid(n, "weights %s do not match input %s", shape_str(w).c_str(), shape_str(x).c_str());
  ConvShape s;
  s.batch = x[0];
  s.channels = x[1];
  s.filters = w[0];
  s.cg = w[1];
  s.group = n.i("group", 1);
  if (s.group < 1) invalid(n, "group must be >= 1");
  if (s.cg * s.group != s.channels || s.filters % s.group != 0)
    invalid(n, "input channels %lld, weights %s and group %lld are inconsistent", (long long)s.channels,
            shape_str(w).c_str(), (long long)s.group);
  s.mg = s.filters / s.group;
  s.geo = window_geometry(n, Shape(x.begin() + 2, x.end()), Shape(w.begin() + 2, w.end()));
  return s;
}

}  // namespace coda::exec::kern
