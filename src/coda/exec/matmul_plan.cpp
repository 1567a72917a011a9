#include "coda/exec/matmul_plan.h"

#include "coda/exec/broadcast.h"

namespace coda::exec::kern {

MatMulPlan plan_matmul(const Node& n, const Shape& a, const Shape& b) {
  if (a.empty() || b.empty()) invalid(n, "matmul operands must have rank >= 1");
  Shape as = a, bs = b;
  const bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
  if (a_vec) as.insert(as.begin(), 1);
  if (b_vec) bs.push_back(1);
  MatMulPlan p;
  p.m = as[as.size() - 2];
  p.k = as.back();
  p.n = bs.back();
  if (bs[bs.size() - 2] != p.k) invalid(n, "A %s and B %s do not multiply", shape_str(a).c_str(), shape_str(b).c_str());
  Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  p.batch = broadcast_shape(n, {&ab, &bb});
  p.out = p.batch;
  if (!a_vec) p.out.push_back(p.m);
  if (!b_vec) p.out.push_back(p.n);
  p.batches = shape_numel(p.batch);
  p.b_shared = shape_numel(bb) == 1;
  const size_t r = p.batch.size();
  p.a_stride.assign(r, 0);
  p.b_stride.assign(r, 0);
  Shape ast = shape_strides(ab), bst = shape_strides(bb);
  const size_t ao = r - ab.size(), bo = r - bb.size();
  for (size_t i = 0; i < r; ++i) {
    if (i >= ao && ab[i - ao] != 1) p.a_stride[i] = ast[i - ao];
    if (i >= bo && bb[i - bo] != 1) p.b_stride[i] = bst[i - bo];
  }
  return p;
}

void MatMulPlan::offsets(int64_t t, int64_t& a_off, int64_t& b_off) const {
  a_off = b_off = 0;
  for (size_t i = batch.size(); i-- > 0;) {
    const int64_t idx = t % batch[i];
    t /= batch[i];
    a_off += idx * a_stride[i];
    b_off += idx * b_stride[i];
  }
  a_off *= m * k;
  b_off *= k * n;
}

}  // namespace coda::exec::kern
