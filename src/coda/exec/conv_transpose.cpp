// ConvTranspose (float32 / float64): groups, strides, dilations, pads, output_padding,
// output_shape and auto_pad, 1-D to 3-D. GEMM of the transposed weights with the input, then col2im.
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
bool pad_in_range(int64_t p) { return p >= -(int64_t{1} << 40) && p <= (int64_t{1} << 40); }
}  // namespace

namespace {

int64_t floor_div2(int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

// The geometry in col2im's terms: in = this node's output, out = this node's input.
WindowGeometry transpose_geometry(const Node& n, const Shape& in_sp, const Shape& k_sp) {
  size_t rank = in_sp.size();
  if (rank == 0) invalid(n, "input has no spatial dimensions");
  if (rank > 3) unsupported(n, "%zu spatial dimensions (at most 3 are supported)", rank);
  std::vector<int64_t> k = n.ints("kernel_shape", k_sp);
  if (k != k_sp) invalid(n, "kernel_shape %s does not match the weights %s", shape_str(k).c_str(), shape_str(k_sp).c_str());
  auto per_dim = [&](const char* name, int64_t dflt) {
    std::vector<int64_t> v = n.ints(name, std::vector<int64_t>(rank, dflt));
    if (v.size() != rank) invalid(n, "%s has %zu values, expected %zu", name, v.size(), rank);
    return v;
  };
  std::vector<int64_t> s = per_dim("strides", 1), d = per_dim("dilations", 1), op = per_dim("output_padding", 0);
  std::vector<int64_t> pads = n.ints("pads", std::vector<int64_t>(2 * rank, 0));
  if (pads.size() != 2 * rank) invalid(n, "pads has %zu values, expected %zu", pads.size(), 2 * rank);
  std::vector<int64_t> out_shape = n.ints("output_shape", {});
  if (out_shape.size() == rank + 2) out_shape.erase(out_shape.begin(), out_shape.begin() + 2);
  if (!out_shape.empty() && out_shape.size() != rank)
    invalid(n, "output_shape has %zu values, expected %zu", out_shape.size(), rank);
  std::string auto_pad = n.s("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER" && auto_pad != "VALID")
    invalid(n, "auto_pad '%s' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID", auto_pad.c_str());
  WindowGeometry g;
  g.rank = static_cast<int64_t>(rank);
  size_t off = 3 - rank;
  for (size_t i = 0; i < rank; ++i) {
    if (k[i] < 1 || s[i] < 1 || d[i] < 1) invalid(n, "kernel, strides and dilations must be >= 1");
    if (k[i] > (int64_t{1} << 30) || d[i] > (int64_t{1} << 30) || s[i] > (int64_t{1} << 30))
      invalid(n, "kernel, stride or dilation too large");
    if (op[i] < 0) invalid(n, "output_padding must be >= 0");
    int64_t span = (k[i] - 1) * d[i] + 1, in = in_sp[i];
    int64_t full = s[i] * (in - 1) + op[i] + span;  // output size before padding is removed
    int64_t pb = pads[i], pe = pads[i + rank], out;
    if (!pad_in_range(pb) || !pad_in_range(pe) || op[i] > (int64_t{1} << 30))
      invalid(n, "pads or output_padding too large");
    if (!out_shape.empty() && (out_shape[i] < 0 || out_shape[i] > (int64_t{1} << 40))) invalid(n, "output_shape out of range");
    if (!out_shape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      out = !out_shape.empty() ? out_shape[i] : in * s[i];
      int64_t total = full - out;
      if (auto_pad == "SAME_UPPER") {
        pb = floor_div2(total);
        pe = total - pb;
      } else {
        pe = floor_div2(total);
        pb = total - pe;
      }
    } else {
      if (auto_pad == "VALID") pb = pe = 0;
      if (pb < 0 || pe < 0) invalid(n, "pads must be >= 0");
      out = full - pb - pe;
    }
    if (out < 0 || in < 0) invalid(n, "output size %lld is negative", (long long)out);
    g.in[off + i] = out;
    g.out[off + i] = in;
    g.kernel[off + i] = k[i];
    g.stride[off + i] = s[i];
    g.dilation[off + i] = d[i];
    g.pad_begin[off + i] = pb;
    g.pad_end[off + i] = pe;
  }
  return g;
}

template <class T>
void conv_transpose(const WindowGeometry& g, int64_t batch, int64_t channels, int64_t group, int64_t mg, const T* x,
                    const T* w, const T* bias, T* y, const Activation& act, KernelContext& ctx) {
  const int64_t cg = channels / group, K = g.kernel_size(), pin = g.out_size(), pout = g.in_size();
  const int64_t filters = mg * group;
  if (batch == 0 || filters == 0 || pout == 0) return;
  // Output channels per task, keeping the column buffer near 4 MB.
  const int64_t mb = std::clamp<int64_t>((1 << 20) / std::max<int64_t>(K * std::max<int64_t>(pin, 1), 1), 1, mg);
  const int64_t mblocks = (mg + mb - 1) / mb, tasks = batch * group * mblocks;
  parallel_for(ctx, tasks, 1, [&](int64_t lo, int64_t hi) {
    std::vector<T> col;
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t nb = t / (group * mblocks), gi = (t / mblocks) % group, m0 = (t % mblocks) * mb;
      const int64_t len = std::min(mb, mg - m0);
      T* yc = y + (nb * filters + gi * mg + m0) * pout;
      if (pin > 0 && cg > 0) {
        col.assign(static_cast<size_t>(len * K * pin), T(0));
        GemmArgs a;
        a.trans_a = true;
        a.m = len * K;
        a.n = pin;
        a.k = cg;
        a.lda = mg * K;
        a.ldb = pin;
        a.ldc = pin;
        gemm_any<T>(a, w + gi * cg * mg * K + m0 * K, x + (nb * channels + gi * cg) * pin, col.data(), ctx.pool);
        col2im<T>(g, col.data(), len, yc);
      }
      if (bias)
        for (int64_t m = 0; m < len; ++m) {
          const T bv = bias[gi * mg + m0 + m];
          for (int64_t i = 0; i < pout; ++i) yc[m * pout + i] += bv;
        }
      act.apply(yc, len * pout);
    }
  });
}

}  // namespace

Outputs op_ConvTranspose(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  const Tensor& w = input(n, in, 1);
  const Tensor* b = optional_input(in, 2);
  if (w.dtype() != x.dtype()) invalid(n, "weights are %s but input is %s", dtype_name(w.dtype()), dtype_name(x.dtype()));
  if (x.rank() < 3) invalid(n, "input must have rank >= 3 (N, C, spatial...), got %s", shape_str(x.shape()).c_str());
  if (w.rank() != x.rank())
    invalid(n, "weights %s do not match input %s", shape_str(w.shape()).c_str(), shape_str(x.shape()).c_str());
  int64_t group = n.i("group", 1), channels = x.dim(1);
  if (group < 1 || w.dim(0) != channels || channels % group != 0)
    invalid(n, "input channels %lld, weights %s and group %lld are inconsistent", (long long)channels,
            shape_str(w.shape()).c_str(), (long long)group);
  int64_t mg = w.dim(1), filters = mg * group;
  if (b && (b->dtype() != x.dtype() || b->rank() != 1 || b->dim(0) != filters))
    invalid(n, "bias must be a vector of %lld, got %s", (long long)filters, shape_str(b->shape()).c_str());
  WindowGeometry g = transpose_geometry(n, Shape(x.shape().begin() + 2, x.shape().end()),
                                        Shape(w.shape().begin() + 2, w.shape().end()));
  Shape out{x.dim(0), filters};
  for (int64_t i = 3 - g.rank; i < 3; ++i) out.push_back(g.in[static_cast<size_t>(i)]);
  Tensor y = make_output(n, x.dtype(), out);
  checked_numel(n, {g.kernel_size(), g.out_size()}, x.dtype());  // one column buffer per task
  visit_float(n, x.dtype(), "input", [&](auto tag) {
    using T = typename decltype(tag)::type;
    conv_transpose<T>(g, x.dim(0), channels, group, mg, x.data<T>(), w.data<T>(), b ? b->data<T>() : nullptr,
                      y.data<T>(), fused_activation(n), ctx);
  });
  return {y};
}

}  // namespace coda::exec::kern
