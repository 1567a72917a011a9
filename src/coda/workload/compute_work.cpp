// compute_work: Conv / ConvTranspose / Gemm / MatMul (and quantized forms) -> Problem.
#include <tuple>

#include "coda/workload/node_work.h"
#include "coda/workload/problem_shapes.h"
#include "coda/graph/subpixel.h"

namespace coda::workload {

namespace {
using graph::SubpixelPlan;
using graph::plan_subpixel;

using graph::OpKind;

LayerWork with_problem(std::string name, OpKind op, Problem p, Shape out) {
  LayerWork w;
  w.name = std::move(name);
  w.op = op;
  w.macs = p.macs();
  w.problem = std::move(p);
  w.output_shape = std::move(out);
  return w;
}

// Attribute `a` of a 1-d or 2-d window op as (height, width); height is 1 for 1-d.
std::pair<int64_t, int64_t> hw(const NodeView& v, const std::string& a, size_t spatial) {
  std::vector<int64_t> vals = v.n.ints(a, std::vector<int64_t>(spatial, 1));
  if (vals.size() != spatial)
    throw InvalidError(v.where(), format("%s has %zu values for %zu spatial dims", a.c_str(), vals.size(), spatial));
  return {spatial == 2 ? vals[0] : 1, vals.back()};
}

// The node's `group`, checked against the channels: a conv needs cin == w_in * group, a transposed
// conv cin == w_in with w_in a multiple of group.
int64_t checked_groups(const NodeView& v, int64_t cin, int64_t w_in, bool transposed) {
  int64_t g = v.n.i("group", 1);
  bool ok = g >= 1 && (transposed ? cin == w_in && w_in % g == 0 : cin == w_in * g);
  if (!ok)
    throw InvalidError(v.where(), format("group %lld does not fit %lld input channels and a weight of %lld",
                                         static_cast<long long>(g), static_cast<long long>(cin),
                                         static_cast<long long>(w_in)));
  return g;
}

// A conv of another rank: MACs by closed form, no problem.
LayerWork conv_without_problem(const NodeView& v, const Shape& w, const Shape& y) {
  LayerWork out;
  out.name = v.n.name;
  out.op = v.n.op;
  out.macs = mul_work(v, shape_numel(y), shape_numel(Shape(w.begin() + 1, w.end())));  // per output: Cin/G * kernel
  out.output_shape = y;
  return out;
}

// A 1-D or 2-D ConvShape: batch n, groups g, per-group output/input channels k/c, the loop extent
// (Q, P) from `extent`'s spatial dims, the kernel (S, R) from `w`'s, and the node's strides/dilations.
ConvShape conv_shape(const NodeView& v, int64_t n, int64_t g, int64_t k, int64_t c, const Shape& extent, const Shape& w,
                     size_t spatial) {
  ConvShape s;
  s.N = n;
  s.G = g;
  s.K = k;
  s.C = c;
  s.Q = spatial == 2 ? extent[2] : 1;
  s.P = extent.back();
  s.S = spatial == 2 ? w[2] : 1;
  s.R = w.back();
  std::tie(s.Hstride, s.Wstride) = hw(v, "strides", spatial);
  std::tie(s.Hdilation, s.Wdilation) = hw(v, "dilations", spatial);
  return s;
}

LayerWork conv_work(const NodeView& v) {
  size_t xi = 0, wi = v.n.op == OpKind::QLinearConv ? 3 : 1;
  const Shape &x = v.shape(xi), &w = v.shape(wi), &y = v.out_shape();
  size_t spatial = x.size() - 2;
  if (x.size() != w.size() || y.size() != x.size()) throw InvalidError(v.where(), "input, weight and output ranks differ");
  int64_t groups = checked_groups(v, x[1], w[1], false);
  if (spatial < 1 || spatial > 2) return conv_without_problem(v, w, y);
  ConvShape s = conv_shape(v, x[0], groups, w[0] / groups, w[1], y, w, spatial);
  return with_problem(v.n.name, v.n.op, conv_problem(s, {v.bits(wi), v.bits(xi), v.out_bits()}), y);
}

// The sub-pixel parts of a plannable ConvTranspose: Conv, DepthToSpace and the crop.
std::vector<LayerWork> subpixel_work(const NodeView& v, const SubpixelPlan& plan) {
  const Shape &x = v.shape(0), &w = v.shape(1), &y = v.out_shape();
  int64_t s = plan.stride;
  ConvShape c;
  c.N = x[0];
  c.K = w[1] * s * s;
  c.C = x[1];
  c.S = plan.k_low[0];
  c.R = plan.k_low[1];
  c.Q = x[2] + plan.conv_pads[0] + plan.conv_pads[2] - c.S + 1;
  c.P = x[3] + plan.conv_pads[1] + plan.conv_pads[3] - c.R + 1;
  std::vector<LayerWork> parts;
  parts.push_back(with_problem(v.n.name + ".subpixel_conv", OpKind::Conv,
                               conv_problem(c, {v.bits(1), v.bits(0), v.out_bits()}), {c.N, c.K, c.Q, c.P}));
  LayerWork d2s;
  d2s.name = v.n.name + ".depth_to_space";
  d2s.op = OpKind::DepthToSpace;
  d2s.output_shape = {c.N, w[1], c.Q * s, c.P * s};
  d2s.vector_elems = shape_numel(d2s.output_shape);
  parts.push_back(d2s);
  if (plan.crops()) {
    LayerWork crop;
    crop.name = v.n.name + ".crop";
    crop.op = OpKind::Slice;
    crop.output_shape = y;
    crop.vector_elems = shape_numel(y);
    parts.push_back(crop);
  }
  return parts;
}

std::vector<LayerWork> conv_transpose_work(const NodeView& v, const ExtractOptions& opts) {
  const Shape &x = v.shape(0), &w = v.shape(1), &y = v.out_shape();
  if (opts.subpixel) {
    SubpixelPlan plan = plan_subpixel(v.g, v.n);
    if (plan.ok()) return subpixel_work(v, plan);
  }
  size_t spatial = x.size() - 2;
  if (x.size() != w.size() || y.size() != x.size()) throw InvalidError(v.where(), "input, weight and output ranks differ");
  int64_t groups = checked_groups(v, x[1], w[0], true);
  if (spatial < 1 || spatial > 2) {
    LayerWork out = conv_without_problem(v, w, y);
    out.macs = mul_work(v, shape_numel(x), shape_numel(Shape(w.begin() + 1, w.end())));  // per input: Cout/G * kernel
    return {out};
  }
  // The direct (scatter) form loops over the input's extent: P, Q are input positions.
  ConvShape s = conv_shape(v, x[0], groups, w[1], w[0] / groups, x, w, spatial);
  return {with_problem(v.n.name, v.n.op, conv_transpose_problem(s, {v.bits(1), v.bits(0), v.out_bits()}), y)};
}

LayerWork gemm_work(const NodeView& v) {
  const Shape &a = v.shape(0), &b = v.shape(1);
  if (a.size() != 2 || b.size() != 2) throw InvalidError(v.where(), "Gemm operands must be 2-d");
  bool ta = v.n.i("transA", 0) != 0, tb = v.n.i("transB", 0) != 0;
  GemmShape s;
  s.M = ta ? a[1] : a[0];
  s.K = ta ? a[0] : a[1];
  s.N = tb ? b[0] : b[1];
  return with_problem(v.n.name, v.n.op, gemm_problem(s, {v.bits(1), v.bits(0), v.out_bits()}), v.out_shape());
}

// MatMul, MatMulInteger, QLinearMatMul with numpy batching. A 2-d (or unbatched) right operand is a
// weight shared by every row, so the left operand's batch dims fold into M; otherwise B is the
// broadcast batch and each operand is batched if it has batch dims > 1.
LayerWork matmul_work(const NodeView& v) {
  size_t ai = 0, bi = v.n.op == OpKind::QLinearMatMul ? 3 : 1;
  const Shape &a = v.shape(ai), &b = v.shape(bi), &y = v.out_shape();
  GemmShape s;
  s.M = a.size() >= 2 ? a[a.size() - 2] : 1;
  s.K = a.back();
  s.N = b.size() >= 2 ? b.back() : 1;
  int64_t a_batch = a.size() > 2 ? shape_numel(Shape(a.begin(), a.end() - 2)) : 1;
  int64_t b_batch = b.size() > 2 ? shape_numel(Shape(b.begin(), b.end() - 2)) : 1;
  int64_t batch = s.M * s.N == 0 ? 0 : shape_numel(y) / (s.M * s.N);
  if (b_batch == 1) {
    s.M *= batch;
  } else {
    s.B = batch;
    s.inputs_batched = a_batch > 1;
    s.weights_batched = true;
  }
  return with_problem(v.n.name, v.n.op, gemm_problem(s, {v.bits(bi), v.bits(ai), v.out_bits()}), y);
}

}  // namespace

bool is_compute_op(OpKind op) {
  switch (op) {
    case OpKind::Conv: case OpKind::ConvInteger: case OpKind::QLinearConv: case OpKind::ConvTranspose:
    case OpKind::Gemm: case OpKind::MatMul: case OpKind::MatMulInteger: case OpKind::QLinearMatMul:
      return true;
    default:
      return false;
  }
}

std::vector<LayerWork> compute_work(const NodeView& v, const ExtractOptions& opts) {
  switch (v.n.op) {
    case OpKind::Conv: case OpKind::ConvInteger: case OpKind::QLinearConv: return {conv_work(v)};
    case OpKind::ConvTranspose: return conv_transpose_work(v, opts);
    case OpKind::Gemm: return {gemm_work(v)};
    default: return {matmul_work(v)};
  }
}

}  // namespace coda::workload
