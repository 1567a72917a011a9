#include "coda/exec/broadcast.h"

#include <algorithm>
#include <cstring>

namespace coda::exec::kern {

Shape broadcast_shape(const Node& n, const std::vector<const Shape*>& shapes) {
  size_t rank = 0;
  for (const Shape* s : shapes) rank = std::max(rank, s->size());
  Shape out(rank, 1);
  for (const Shape* s : shapes) {
    size_t off = rank - s->size();
    for (size_t i = 0; i < s->size(); ++i) {
      int64_t d = (*s)[i], &o = out[off + i];
      if (d == o || d == 1) continue;
      if (o == 1) {
        o = d;
        continue;
      }
      std::string list;
      for (const Shape* t : shapes) list += (list.empty() ? "" : " and ") + shape_str(*t);
      invalid(n, "shapes %s cannot be broadcast together", list.c_str());
    }
  }
  return out;
}

Broadcast make_broadcast(const Node& n, const std::vector<const Shape*>& shapes) {
  Broadcast bc;
  bc.out = broadcast_shape(n, shapes);
  bc.numel = checked_numel(n, bc.out, DType::f64);
  size_t rank = bc.out.size(), k = shapes.size();
  if (bc.numel == 0) {  // nothing to walk (and the strides of an empty input may not fit 64 bits)
    bc.dims = {0};
    bc.strides.assign(k, {0});
    return bc;
  }
  // Full-rank strides per input (0 on broadcast dims), dropping output dims of size 1.
  std::vector<int64_t> dims;
  std::vector<std::vector<int64_t>> st(k);
  std::vector<Shape> in_strides(k);
  for (size_t j = 0; j < k; ++j) in_strides[j] = shape_strides(*shapes[j]);
  for (size_t i = 0; i < rank; ++i) {
    if (bc.out[i] == 1) continue;
    dims.push_back(bc.out[i]);
    for (size_t j = 0; j < k; ++j) {
      const Shape& s = *shapes[j];
      size_t off = rank - s.size();
      int64_t stride = 0;
      if (i >= off && s[i - off] != 1) stride = in_strides[j][i - off];
      st[j].push_back(stride);
    }
  }
  // Coalesce neighbours that every input walks contiguously (or broadcasts over together).
  std::vector<int64_t> cd;
  std::vector<std::vector<int64_t>> cs(k);
  for (size_t i = 0; i < dims.size(); ++i) {
    bool merge = !cd.empty();
    for (size_t j = 0; j < k && merge; ++j) merge = cs[j].back() == st[j][i] * dims[i];
    if (merge) {
      cd.back() *= dims[i];
      for (size_t j = 0; j < k; ++j) cs[j].back() = st[j][i];
    } else {
      cd.push_back(dims[i]);
      for (size_t j = 0; j < k; ++j) cs[j].push_back(st[j][i]);
    }
  }
  if (cd.empty()) {
    cd.push_back(1);
    for (size_t j = 0; j < k; ++j) cs[j].push_back(0);
  }
  bc.dims = std::move(cd);
  bc.strides = std::move(cs);
  return bc;
}

void Broadcast::row_offsets(int64_t r, int64_t* offsets) const {
  size_t k = strides.size();
  for (size_t j = 0; j < k; ++j) offsets[j] = 0;
  for (size_t i = dims.size() - 1; i-- > 0;) {
    int64_t idx = r % dims[i];
    r /= dims[i];
    for (size_t j = 0; j < k; ++j) offsets[j] += idx * strides[j][i];
  }
}

void broadcast_copy(const Node& n, const Tensor& src, Tensor& dst, KernelContext& ctx) {
  Broadcast bc = make_broadcast(n, {&dst.shape(), &src.shape()});
  if (bc.out != dst.shape()) invalid(n, "cannot broadcast %s to %s", shape_str(src.shape()).c_str(), shape_str(dst.shape()).c_str());
  size_t es = dtype_size(src.dtype());
  const auto* s = static_cast<const std::byte*>(src.raw());
  auto* d = static_cast<std::byte*>(dst.raw());
  int64_t inner = bc.inner(), sstride = bc.inner_stride(1);
  parallel_for(ctx, bc.rows(), grain_for(bc.rows(), inner), [&](int64_t lo, int64_t hi) {
    int64_t off[2];
    for (int64_t r = lo; r < hi; ++r) {
      bc.row_offsets(r, off);
      std::byte* o = d + static_cast<size_t>(r * inner) * es;
      const std::byte* p = s + static_cast<size_t>(off[1]) * es;
      if (sstride == 1) {
        std::memcpy(o, p, static_cast<size_t>(inner) * es);
      } else {
        for (int64_t i = 0; i < inner; ++i) std::memcpy(o + static_cast<size_t>(i) * es, p, es);
      }
    }
  });
}

}  // namespace coda::exec::kern
