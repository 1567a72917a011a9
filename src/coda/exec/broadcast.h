// Numpy-style broadcasting over several inputs: the output shape, and a coalesced loop structure
// ("rows" of one contiguous output run each, with every input's offset and inner stride) that the
// element-wise kernels iterate in parallel.
//
//   Broadcast bc = make_broadcast(node, {&a.shape(), &b.shape()});
//   for (int64_t r = 0; r < bc.rows(); ++r) { int64_t off[2]; bc.row_offsets(r, off); ... }
#pragma once
#include <vector>

#include "coda/exec/kernel_util.h"

namespace coda::exec::kern {

// The numpy broadcast of the shapes; InvalidError naming the node on a mismatch.
Shape broadcast_shape(const Node& n, const std::vector<const Shape*>& shapes);

struct Broadcast {
  Shape out;             // the broadcast output shape
  int64_t numel = 0;     // elements of out
  // The output viewed as coalesced dims (outer to inner, at least one) with per-input strides.
  std::vector<int64_t> dims;
  std::vector<std::vector<int64_t>> strides;  // [input][dim], 0 where the input is broadcast

  int64_t inner() const { return dims.back(); }
  int64_t rows() const { return inner() == 0 ? 0 : numel / inner(); }
  int64_t inner_stride(size_t input) const { return strides[input].back(); }
  // Offsets (in elements) of the first element of row r for each input.
  void row_offsets(int64_t r, int64_t* offsets) const;
};

Broadcast make_broadcast(const Node& n, const std::vector<const Shape*>& shapes);

// Copies `src` broadcast to shape `out` (Expand); element size only matters.
void broadcast_copy(const Node& n, const Tensor& src, Tensor& dst, KernelContext& ctx);

}  // namespace coda::exec::kern
