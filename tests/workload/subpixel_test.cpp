// Sub-pixel ConvTranspose: plans worked by hand, the rewritten graph computes the same outputs as
// the original (within 1e-5) on random input, and extract's subpixel option agrees with extracting
// the rewritten graph.
#include <gtest/gtest.h>

#include <cmath>

#include "coda/exec/executor.h"
#include "coda/graph/infer.h"
#include "coda/workload/extract.h"
#include "coda/graph/subpixel.h"
#include "coda/zoo/random_init.h"
#include "coda/zoo/zoo.h"

namespace coda::workload {
namespace {
using graph::SubpixelPlan;
using graph::plan_subpixel;
using graph::subpixel_conv_transpose;

using graph::OpKind;
using Ints = std::vector<int64_t>;
using A2 = std::array<int64_t, 2>;
using A4 = std::array<int64_t, 4>;

// A graph x -> ConvTranspose(random weight [cin, cout, k, k], random bias [cout * group]) -> y.
graph::Graph deconv_graph(Shape x, int64_t cout, int64_t k, std::map<std::string, graph::Attribute> attrs,
                          bool bias = true) {
  graph::Graph g("deconv");
  graph::ValueId in = g.add_input("x", DType::f32, x);
  std::vector<graph::ValueId> ins{in, g.add_constant("w", zoo::uniform_tensor({x[1], cout, k, k}, -0.5f, 0.5f, 1, "w"))};
  int64_t groups = attrs.count("group") ? *attrs["group"].get_if<int64_t>() : 1;
  if (bias) ins.push_back(g.add_constant("b", zoo::uniform_tensor({cout * groups}, -0.5f, 0.5f, 1, "b")));
  graph::ValueId y = g.add_value("y");
  attrs["kernel_shape"] = Ints{k, k};
  g.add_node(OpKind::ConvTranspose, "deconv", ins, {y}, std::move(attrs));
  g.mark_output(y);
  graph::infer_shapes(g);
  return g;
}

SubpixelPlan plan_of(const graph::Graph& g) { return plan_subpixel(g, g.nodes().at(0)); }

TEST(SubpixelPlan, EscaDecoderLayer) {  // k4 s2 p1: Conv k2 pads 1, crop 1 on every side
  SubpixelPlan p = plan_of(deconv_graph({1, 4, 5, 5}, 2, 4, {{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}));
  ASSERT_TRUE(p.ok()) << p.why_not;
  EXPECT_EQ(p.stride, 2);
  EXPECT_EQ(p.k_low, (A2{2, 2}));
  EXPECT_EQ(p.conv_pads, (A4{1, 1, 1, 1}));
  EXPECT_EQ(p.crop_begin, (A2{1, 1}));
  EXPECT_EQ(p.crop_end, (A2{1, 1}));
}

TEST(SubpixelPlan, WholePhasesComeOffThePadding) {
  // k4 s2 p3: 3 = 1 phase of 2 + 1, so the conv loses one pad row per side and crops 1.
  SubpixelPlan p = plan_of(deconv_graph({1, 1, 6, 6}, 1, 4, {{"strides", Ints{2, 2}}, {"pads", Ints{3, 3, 3, 3}}}));
  EXPECT_EQ(p.conv_pads, (A4{0, 0, 0, 0}));
  EXPECT_EQ(p.crop_begin, (A2{1, 1}));
  // k6 s3, pads top 2 / bottom 2 with output_padding 1: bottom excess 2 - 1 = 1.
  SubpixelPlan q = plan_of(deconv_graph({1, 1, 4, 4}, 1, 6, {{"strides", Ints{3, 3}}, {"pads", Ints{2, 0, 2, 0}},
                                                               {"output_padding", Ints{1, 0}}}));
  EXPECT_EQ(q.k_low, (A2{2, 2}));
  EXPECT_EQ(q.conv_pads, (A4{1, 1, 1, 1}));
  EXPECT_EQ(q.crop_begin, (A2{2, 0}));
  EXPECT_EQ(q.crop_end, (A2{1, 0}));
  // output_padding larger than the pad: the conv pads one extra phase and crops s - 1.
  SubpixelPlan r = plan_of(deconv_graph({1, 1, 4, 4}, 1, 4, {{"strides", Ints{2, 2}}, {"output_padding", Ints{1, 1}}}));
  EXPECT_EQ(r.conv_pads, (A4{1, 1, 2, 2}));
  EXPECT_EQ(r.crop_end, (A2{1, 1}));
  EXPECT_FALSE(r.crop_begin[0] || r.crop_begin[1]);
}

TEST(SubpixelPlan, IneligibleNodesSayWhy) {
  EXPECT_EQ(plan_of(deconv_graph({1, 4, 5, 5}, 4, 4, {{"strides", Ints{2, 2}}, {"group", int64_t{2}}})).why_not,
            "grouped ConvTranspose");
  EXPECT_EQ(plan_of(deconv_graph({1, 1, 5, 5}, 1, 3, {{"strides", Ints{2, 2}}})).why_not,
            "kernel 3 is not a multiple of stride 2");
  EXPECT_EQ(plan_of(deconv_graph({1, 1, 5, 5}, 1, 4, {{"strides", Ints{2, 1}}})).why_not, "unequal strides");
  EXPECT_EQ(plan_of(deconv_graph({1, 1, 5, 5}, 1, 4, {{"strides", Ints{2, 2}}, {"dilations", Ints{2, 2}}})).why_not,
            "dilation other than 1");
}

float max_abs_diff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(shape_str(a.shape()), shape_str(b.shape()));
  std::vector<float> x = a.to_f32_vector(), y = b.to_f32_vector();
  float m = 0;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) m = std::max(m, std::fabs(x[i] - y[i]));
  return m;
}

// Runs g and its rewrite on the same random inputs; returns the largest output difference.
float rewrite_error(const graph::Graph& g, int* convs_left = nullptr) {
  graph::Graph r = subpixel_conv_transpose(g);
  graph::verify(r);
  int left = 0;
  for (const graph::Node& n : r.nodes()) left += n.op == OpKind::ConvTranspose;
  if (convs_left) *convs_left = left;
  std::vector<Tensor> inputs;
  for (graph::ValueId id : g.inputs())
    if (!g.value(id).is_constant()) inputs.push_back(zoo::uniform_tensor(g.value(id).shape, -1, 1, 9, g.value(id).name));
  std::vector<Tensor> a = exec::Executor(g, {.threads = 1}).run(inputs);
  std::vector<Tensor> b = exec::Executor(r, {.threads = 1}).run(inputs);
  float m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, max_abs_diff(a[i], b[i]));
  return m;
}

TEST(SubpixelRewrite, DecoderOutputsAreUnchanged) {
  int left = -1;
  EXPECT_LE(rewrite_error(zoo::build("decoder", {{"batch", "3"}}), &left), 1e-5f);
  EXPECT_EQ(left, 0);
}

TEST(SubpixelRewrite, OddStridesPadsAndOutputPadding) {
  struct Case {
    Shape x;
    int64_t cout, k;
    std::map<std::string, graph::Attribute> attrs;
    bool bias;
  };
  std::vector<Case> cases = {
      {{2, 3, 5, 4}, 2, 6, {{"strides", Ints{3, 3}}, {"pads", Ints{2, 1, 2, 0}}, {"output_padding", Ints{1, 0}}}, true},
      {{1, 2, 6, 6}, 3, 4, {{"strides", Ints{2, 2}}, {"pads", Ints{3, 3, 3, 3}}}, true},
      {{1, 2, 4, 5}, 2, 4, {{"strides", Ints{2, 2}}}, false},  // no crop: no Slice
      {{1, 2, 4, 4}, 2, 4, {{"strides", Ints{2, 2}}, {"output_padding", Ints{1, 1}}}, true},
      {{1, 3, 3, 3}, 2, 3, {{"strides", Ints{1, 1}}, {"pads", Ints{1, 1, 1, 1}}}, true},  // s = 1: a flipped conv
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    int left = -1;
    EXPECT_LE(rewrite_error(deconv_graph(cases[i].x, cases[i].cout, cases[i].k, cases[i].attrs, cases[i].bias), &left),
              1e-5f)
        << "case " << i;
    EXPECT_EQ(left, 0) << "case " << i;
  }
}

TEST(SubpixelRewrite, IneligibleNodesStay) {
  int left = -1;
  EXPECT_LE(rewrite_error(deconv_graph({1, 4, 5, 5}, 4, 4, {{"strides", Ints{2, 2}}, {"group", int64_t{2}}}), &left), 0.0f);
  EXPECT_EQ(left, 1);
}

TEST(SubpixelExtract, OptionMatchesTheRewrittenGraph) {
  graph::Graph g = zoo::build("decoder");
  std::vector<LayerWork> direct = extract(g), split = extract(g, {.subpixel = true});
  std::vector<LayerWork> rewritten = extract(subpixel_conv_transpose(g));
  // deconv1: 64 -> 32 on 7x7, k4 s2 p1 -> Conv 64 -> 128, k2, pads 1 on 7x7 -> 8x8, DepthToSpace, crop.
  auto find = [](const std::vector<LayerWork>& ws, const std::string& name) {
    for (const LayerWork& w : ws)
      if (w.name == name) return w;
    ADD_FAILURE() << "no layer " << name;
    return LayerWork{};
  };
  EXPECT_EQ(find(direct, "deconv1").macs, 64 * 7 * 7 * 32 * 16);
  LayerWork conv = find(split, "deconv1.subpixel_conv");
  EXPECT_EQ(conv.op, OpKind::Conv);
  EXPECT_EQ(conv.macs, 8 * 8 * 128 * 64 * 4);
  EXPECT_EQ(conv.problem->bound("K"), 128);
  EXPECT_EQ(conv.problem->bound("P"), 8);
  EXPECT_EQ(conv.params, 64 * 32 * 16 + 32);  // the model's parameters, not the repeated bias
  EXPECT_EQ(find(split, "deconv1.depth_to_space").output_shape, (Shape{1, 32, 16, 16}));
  EXPECT_EQ(find(split, "deconv1.crop").output_shape, (Shape{1, 32, 14, 14}));
  EXPECT_EQ(find(rewritten, "deconv1.subpixel_conv").macs, conv.macs);
  EXPECT_EQ(find(rewritten, "deconv2.subpixel_conv").macs, find(split, "deconv2.subpixel_conv").macs);
  EXPECT_EQ(totals(split).macs, totals(rewritten).macs);
  EXPECT_EQ(totals(split).params, totals(direct).params);
}

}  // namespace
}  // namespace coda::workload
