// Copies a tensor with its axes permuted (Transpose, DepthToSpace), any element size, in parallel.
//
//   Tensor y = make_output(node, x.dtype(), permuted_shape);
//   permute_copy(x.raw(), x.shape(), perm, dtype_size(x.dtype()), y.raw(), ctx);  // y = x.transpose(perm)
#pragma once
#include "coda/exec/kernel_util.h"

namespace coda::exec::kern {

// dst (shape = shape permuted by perm) = src transposed: dst[i0..] = src[i_perm...].
void permute_copy(const void* src, const Shape& shape, const std::vector<int64_t>& perm, size_t elem_size, void* dst,
                  KernelContext& ctx);

}  // namespace coda::exec::kern
