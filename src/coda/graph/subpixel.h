// Sub-pixel decomposition of a transposed convolution (ESCA; specs/papers.md §1 (a) 7).
//
// ConvTranspose(Cin -> Cout, kernel k = s*k_low, stride s, pads p) equals
//   Conv(Cin -> Cout*s², kernel k_low, stride 1, pads ≈ k_low-1)  ->  DepthToSpace(s, CRD)  ->  crop
// with the kernel flipped 180° and re-indexed:
//   conv_w[co*s² + i0*s + j0, ci, u, v] = W[ci, co, (k_low-1-u)*s + i0, (k_low-1-v)*s + j0]
// which skips the zeros a zero-insertion upsampler would multiply (75% of them for s = 2).
// Where the pads allow, whole phases are dropped from the conv's padding instead of being cropped:
// for k=4, s=2, p=1 the conv has pads 1 and the crop is 1 pixel on each side, as in ESCA.
//
//   SubpixelPlan plan = plan_subpixel(g, node);      // plan.ok() or plan.why_not
//   graph::Graph g2 = subpixel_conv_transpose(g);     // every eligible ConvTranspose rewritten
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "coda/graph/graph.h"

namespace coda::graph {

struct SubpixelPlan {
  std::string why_not;  // empty when the node can be decomposed
  int64_t stride = 1;   // s, equal on both axes
  std::array<int64_t, 2> k_low{};                // kernel / stride per axis (h, w)
  std::array<int64_t, 4> conv_pads{};            // the Conv's ONNX pads [top, left, bottom, right]
  std::array<int64_t, 2> crop_begin{}, crop_end{};  // rows/cols cut after DepthToSpace (h, w)
  bool ok() const { return why_not.empty(); }
  bool crops() const { return crop_begin[0] || crop_begin[1] || crop_end[0] || crop_end[1]; }
};

// Plans the decomposition of ConvTranspose node `n`: 2-d, group 1, dilation 1, equal strides, each
// kernel dim a multiple of the stride, explicit pads (no auto_pad or output_shape).
SubpixelPlan plan_subpixel(const graph::Graph& g, const graph::Node& n);

// Returns a copy of `g` with every plannable float ConvTranspose whose weight (and bias) are
// constants replaced by Conv + DepthToSpace (+ Slice when there is a crop); the output value and its
// consumers are unchanged. The result is sorted and shape-inferred.
graph::Graph subpixel_conv_transpose(const graph::Graph& g);

}  // namespace coda::graph
