// Window geometry shared by Conv, ConvInteger, QLinearConv, MaxPool and AveragePool: kernel,
// strides, dilations and pads (explicit, or from auto_pad SAME_UPPER / SAME_LOWER / VALID), and
// the output size, with every spatial rank viewed as 3-D (leading dims of size 1).
//
//   WindowGeometry w = window_geometry(node, {h, w}, {kh, kw}, /*ceil_mode=*/false);
//   // w.out[1], w.out[2] are the output height and width; w.in/kernel/... are 3-D
//   ConvShape c = conv_shape(node, x.shape(), w.shape());   // plus channels and groups
#pragma once
#include <array>

#include "coda/exec/kernel_util.h"

namespace coda::exec::kern {

struct WindowGeometry {
  int64_t rank = 0;  // spatial dims of the node (1..3)
  // Always 3-D: dims of size 1 (kernel 1, stride 1, no pad) in front of the real ones.
  std::array<int64_t, 3> in{1, 1, 1}, kernel{1, 1, 1}, stride{1, 1, 1}, dilation{1, 1, 1};
  std::array<int64_t, 3> pad_begin{0, 0, 0}, pad_end{0, 0, 0}, out{1, 1, 1};

  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
  // The node's spatial output dims (rank of them).
  Shape out_shape() const;
  // True for a 1x1 kernel with stride 1 and no padding: the input is its own im2col.
  bool is_pointwise() const;
};

// Reads kernel_shape (or uses `kernel`), strides, dilations, pads and auto_pad from the node.
// ceil_mode applies to pooling only. Rejects spatial ranks above 3 (UnsupportedError) and
// inconsistent attributes (InvalidError).
WindowGeometry window_geometry(const Node& n, const Shape& in_spatial, const Shape& kernel, bool ceil_mode = false);

// A convolution's channel bookkeeping plus its window: x [N, C, ...], w [M, C/group, k...].
struct ConvShape {
  int64_t batch = 0, channels = 0, filters = 0, group = 1;
  int64_t cg = 0, mg = 0;  // input / output channels per group
  WindowGeometry geo;
};

// Checks ranks, channels and group (InvalidError) and reads the window attributes.
ConvShape conv_shape(const Node& n, const Shape& x, const Shape& w);

}  // namespace coda::exec::kern
