// subpixel_conv_transpose: the graph rewrite ConvTranspose -> Conv + DepthToSpace (+ Slice).
#include <cstdint>
#include <limits>

#include "coda/graph/infer.h"
#include "coda/graph/subpixel.h"

namespace coda::graph {

namespace {

using graph::Graph;
using graph::Node;
using graph::OpKind;
using graph::ValueId;

// conv_w[co*s² + i0*s + j0, ci, u, v] = W[ci, co, (kh-1-u)*s + i0, (kw-1-v)*s + j0].
Tensor subpixel_weight(const Tensor& w, const SubpixelPlan& plan) {
  int64_t cin = w.dim(0), cout = w.dim(1), kh = w.dim(2), kw = w.dim(3), s = plan.stride;
  int64_t klh = plan.k_low[0], klw = plan.k_low[1];
  Tensor out(DType::f32, {cout * s * s, cin, klh, klw});
  const float* src = w.data<float>();
  float* dst = out.data<float>();
  for (int64_t co = 0; co < cout; ++co)
    for (int64_t i0 = 0; i0 < s; ++i0)
      for (int64_t j0 = 0; j0 < s; ++j0)
        for (int64_t ci = 0; ci < cin; ++ci)
          for (int64_t u = 0; u < klh; ++u)
            for (int64_t v = 0; v < klw; ++v) {
              int64_t q = co * s * s + i0 * s + j0;
              int64_t r = (klh - 1 - u) * s + i0, c = (klw - 1 - v) * s + j0;
              dst[((q * cin + ci) * klh + u) * klw + v] = src[((ci * cout + co) * kh + r) * kw + c];
            }
  return out;
}

// The bias repeated for every phase: b2[co*s² + phase] = b[co].
Tensor subpixel_bias(const Tensor& b, int64_t s) {
  int64_t cout = b.numel();
  Tensor out(DType::f32, {cout * s * s});
  for (int64_t i = 0; i < out.numel(); ++i) out.data<float>()[i] = b.data<float>()[i / (s * s)];
  return out;
}

bool is_f32_constant(const Graph& g, const Node& n, size_t k) {
  if (!n.has_input(k)) return false;
  const graph::Value& v = g.value(n.inputs[k]);
  return v.is_constant() && v.constant->dtype() == DType::f32 && v.constant->rank() == (k == 1 ? 4 : 1);
}

ValueId ints_constant(Graph& g, const std::string& name, const std::vector<int64_t>& v) {
  return g.add_constant(g.fresh_name(name), Tensor::from_vector<int64_t>(v, {static_cast<int64_t>(v.size())}));
}

// Appends the nodes replacing ConvTranspose `n` to `out`, adding their constants and values to `g`.
void rewrite(Graph& g, const Node& n, const SubpixelPlan& plan, std::vector<Node>& out) {
  int64_t s = plan.stride;
  std::vector<ValueId> conv_in{n.inputs[0],
                               g.add_constant(g.fresh_name(n.name + ".subpixel.weight"),
                                              subpixel_weight(*g.value(n.inputs[1]).constant, plan))};
  if (n.has_input(2))
    conv_in.push_back(g.add_constant(g.fresh_name(n.name + ".subpixel.bias"),
                                     subpixel_bias(*g.value(n.inputs[2]).constant, s)));
  ValueId result = n.outputs[0];
  ValueId conv_out = g.add_value(g.fresh_name(n.name + ".subpixel_conv"), DType::f32);
  ValueId shuffled = plan.crops() ? g.add_value(g.fresh_name(n.name + ".depth_to_space"), DType::f32) : result;

  Node conv;
  conv.op = OpKind::Conv;
  conv.name = n.name + ".subpixel_conv";
  conv.inputs = conv_in;
  conv.outputs = {conv_out};
  conv.attrs = {{"kernel_shape", std::vector<int64_t>{plan.k_low[0], plan.k_low[1]}},
                {"pads", std::vector<int64_t>(plan.conv_pads.begin(), plan.conv_pads.end())},
                {"strides", std::vector<int64_t>{1, 1}},
                {"dilations", std::vector<int64_t>{1, 1}},
                {"group", int64_t{1}}};
  out.push_back(std::move(conv));

  Node d2s;
  d2s.op = OpKind::DepthToSpace;
  d2s.name = n.name + ".depth_to_space";
  d2s.inputs = {conv_out};
  d2s.outputs = {shuffled};
  d2s.attrs = {{"blocksize", s}, {"mode", std::string("CRD")}};
  out.push_back(std::move(d2s));
  if (!plan.crops()) return;

  auto end = [](int64_t crop) { return crop > 0 ? -crop : std::numeric_limits<int64_t>::max(); };
  Node crop;
  crop.op = OpKind::Slice;
  crop.name = n.name + ".crop";
  crop.inputs = {shuffled, ints_constant(g, n.name + ".crop.starts", {plan.crop_begin[0], plan.crop_begin[1]}),
                 ints_constant(g, n.name + ".crop.ends", {end(plan.crop_end[0]), end(plan.crop_end[1])}),
                 ints_constant(g, n.name + ".crop.axes", {2, 3})};
  crop.outputs = {result};
  out.push_back(std::move(crop));
}

}  // namespace

Graph subpixel_conv_transpose(const Graph& in) {
  Graph g = in;
  std::vector<Node> nodes;
  for (const Node& n : in.nodes()) {
    if (n.op == OpKind::ConvTranspose && is_f32_constant(in, n, 1) && (!n.has_input(2) || is_f32_constant(in, n, 2))) {
      SubpixelPlan plan = plan_subpixel(in, n);
      if (plan.ok()) {
        rewrite(g, n, plan, nodes);
        continue;
      }
    }
    nodes.push_back(n);
  }
  g.nodes() = std::move(nodes);
  g.sort();
  graph::infer_shapes(g);
  return g;
}

}  // namespace coda::graph
