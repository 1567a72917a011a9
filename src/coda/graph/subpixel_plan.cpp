// plan_subpixel: whether and how a ConvTranspose splits into Conv + DepthToSpace + crop.
//
// Along one axis (input length L, kernel K = s*k_low, pads p_b/p_e, output_padding op):
//   y[o] = sum_a x[m - a] * w[a*s + j]  with  m = (o + p_b) div s, j = (o + p_b) mod s,
// a correlation of x padded by k_low-1 on both sides; after DepthToSpace the output is the shuffled
// result from offset p_b. Dropping t whole phases from a side's padding moves the crop by t*s.
#include <algorithm>

#include <algorithm>

#include "coda/core/error.h"
#include "coda/graph/subpixel.h"

namespace coda::graph {

namespace {

// Padding and crop on one side of one axis, for `excess` = output rows to remove on that side.
void plan_side(int64_t excess, int64_t s, int64_t k_low, int64_t& pad, int64_t& crop) {
  int64_t t = excess >= 0 ? std::min(excess / s, k_low - 1) : -((-excess + s - 1) / s);
  pad = k_low - 1 - t;
  crop = excess - s * t;
}

}  // namespace

SubpixelPlan plan_subpixel(const graph::Graph& g, const graph::Node& n) {
  SubpixelPlan plan;
  auto fail = [&](const std::string& why) {
    plan.why_not = why;
    return plan;
  };
  if (n.op != graph::OpKind::ConvTranspose) return fail("not a ConvTranspose");
  if (!n.has_input(1)) return fail("no weight input");
  const graph::Value& w = g.value(n.inputs[1]);
  std::vector<int64_t> kernel = n.ints("kernel_shape", {});
  if (kernel.empty() && w.shape_known && w.shape.size() == 4) kernel = {w.shape[2], w.shape[3]};
  if (kernel.size() != 2) return fail("only 2-d ConvTranspose with a known kernel is decomposed");
  if (n.i("group", 1) != 1) return fail("grouped ConvTranspose");
  for (int64_t d : n.ints("dilations", {1, 1}))
    if (d != 1) return fail("dilation other than 1");
  if (n.s("auto_pad", "NOTSET") != "NOTSET") return fail("auto_pad");
  if (n.has("output_shape")) return fail("output_shape attribute");
  std::vector<int64_t> strides = n.ints("strides", {1, 1});
  std::vector<int64_t> pads = n.ints("pads", {0, 0, 0, 0});
  std::vector<int64_t> out_pad = n.ints("output_padding", {0, 0});
  if (strides.size() != 2 || pads.size() != 4 || out_pad.size() != 2) return fail("malformed strides/pads");
  if (strides[0] != strides[1] || strides[0] < 1) return fail("unequal strides");
  int64_t s = strides[0];
  plan.stride = s;
  for (int a = 0; a < 2; ++a) {
    if (kernel[a] < 1) return fail("empty kernel");
    if (kernel[a] % s != 0) return fail(format("kernel %lld is not a multiple of stride %lld",
                                               static_cast<long long>(kernel[a]), static_cast<long long>(s)));
    plan.k_low[a] = kernel[a] / s;
    plan_side(pads[a], s, plan.k_low[a], plan.conv_pads[a], plan.crop_begin[a]);
    plan_side(pads[a + 2] - out_pad[a], s, plan.k_low[a], plan.conv_pads[a + 2], plan.crop_end[a]);
  }
  return plan;
}

}  // namespace coda::graph
