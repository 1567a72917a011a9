// Window bookkeeping shared by MaxPool and AveragePool: the pooled shape, the geometry read from
// the node, and per output index the valid kernel taps along each axis.
//
//   WindowGeometry g = pool_geometry(node, x);
//   TapRanges t = tap_ranges(g);   // t.k0[a][o] .. t.k1[a][o] are the taps inside the input
#pragma once
#include <vector>

#include "coda/exec/conv_geometry.h"

namespace coda::exec::kern {

// [N, C, pooled spatial dims...].
Shape pooled_shape(const Tensor& x, const WindowGeometry& g);
// Checks the input rank and kernel_shape and reads the window (ceil_mode included).
WindowGeometry pool_geometry(const Node& n, const Tensor& x);

// Per axis and output index: the first input index of the window and its valid taps [k0, k1).
struct TapRanges {
  std::vector<int64_t> base[3], k0[3], k1[3];
};
TapRanges tap_ranges(const WindowGeometry& g);

// Output columns [lo, hi) for which kernel column kw lands inside the input row.
void column_range(const WindowGeometry& g, int64_t kw, int64_t& lo, int64_t& hi);

}  // namespace coda::exec::kern
