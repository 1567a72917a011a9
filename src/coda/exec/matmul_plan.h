// The shape logic of numpy matmul shared by MatMul, MatMulInteger and QLinearMatMul: 1-D operands
// promoted to matrices, batch dims broadcast, and each batch's matrix offsets.
//
//   MatMulPlan p = plan_matmul(node, a.shape(), b.shape());
//   for (int64_t t = 0; t < p.batches; ++t) { int64_t oa, ob; p.offsets(t, oa, ob); ... }
#pragma once
#include "coda/exec/kernel_util.h"

namespace coda::exec::kern {

struct MatMulPlan {
  int64_t m = 0, n = 0, k = 0, batches = 1;
  Shape out;                 // the output shape (1-D operands' dims dropped)
  bool b_shared = false;     // B has one matrix for every batch (weights): fold batches into M
  Shape batch;               // broadcast batch dims
  std::vector<int64_t> a_stride, b_stride;  // per batch dim, in matrices (0 where broadcast)
  // Element offsets of batch t's A and B matrices.
  void offsets(int64_t t, int64_t& a_off, int64_t& b_off) const;
};

MatMulPlan plan_matmul(const Node& n, const Shape& a, const Shape& b);

}  // namespace coda::exec::kern
