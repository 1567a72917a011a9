#include "coda/exec/permute.h"

#include <algorithm>
#include <cstring>

namespace coda::exec::kern {

namespace {

template <class E>
void copy_rows(const E* src, E* dst, const std::vector<int64_t>& dims, const std::vector<int64_t>& in_strides,
               int64_t lo, int64_t hi) {
  const size_t r = dims.size();
  const int64_t inner = dims[r - 1], inner_stride = in_strides[r - 1];
  for (int64_t row = lo; row < hi; ++row) {
    int64_t off = 0, idx = row;
    for (size_t i = r - 1; i-- > 0;) {
      off += (idx % dims[i]) * in_strides[i];
      idx /= dims[i];
    }
    E* o = dst + row * inner;
    const E* s = src + off;
    if (inner_stride == 1 && inner * sizeof(E) <= 64) {  // short runs: inline 8-byte moves, no memcpy call
      const size_t bytes = static_cast<size_t>(inner) * sizeof(E);
      size_t b = 0;
      for (; b + 8 <= bytes; b += 8) __builtin_memcpy(reinterpret_cast<char*>(o) + b, reinterpret_cast<const char*>(s) + b, 8);
      for (; b < bytes; ++b) reinterpret_cast<char*>(o)[b] = reinterpret_cast<const char*>(s)[b];
    } else if (inner_stride == 1) {
      std::memcpy(o, s, static_cast<size_t>(inner) * sizeof(E));
    } else
      for (int64_t j = 0; j < inner; ++j) o[j] = s[j * inner_stride];
  }
}

// The last output dim walks the input with a stride: transpose 16x16 blocks of (dim q, last dim),
// where q is the output dim that walks the input contiguously, so reads and writes both stay in
// cache lines. Outer index o covers every other dim.
template <class E>
void copy_blocked(const E* src, E* dst, const std::vector<int64_t>& dims, const std::vector<int64_t>& in_strides,
                  size_t q, int64_t lo, int64_t hi) {
  const size_t r = dims.size(), last = r - 1;
  Shape out_strides = shape_strides(dims);
  const int64_t dq = dims[q], dl = dims[last], oq = out_strides[q], il = in_strides[last];
  constexpr int64_t B = 16;
  for (int64_t o = lo; o < hi; ++o) {
    int64_t in_off = 0, out_off = 0, idx = o;
    for (size_t i = r; i-- > 0;) {
      if (i == q || i == last) continue;
      const int64_t k = idx % dims[i];
      idx /= dims[i];
      in_off += k * in_strides[i];
      out_off += k * out_strides[i];
    }
    const E* s = src + in_off;
    E* d = dst + out_off;
    for (int64_t i0 = 0; i0 < dq; i0 += B)
      for (int64_t j0 = 0; j0 < dl; j0 += B) {
        const int64_t i1 = std::min(dq, i0 + B), j1 = std::min(dl, j0 + B);
        for (int64_t i = i0; i < i1; ++i)
          for (int64_t j = j0; j < j1; ++j) d[i * oq + j] = s[i + j * il];
      }
  }
}

}  // namespace

void permute_copy(const void* src, const Shape& shape, const std::vector<int64_t>& perm, size_t elem_size, void* dst,
                  KernelContext& ctx) {
  int64_t numel = shape_numel(shape);
  if (numel == 0) return;
  // Output dims with the input stride each walks, dropping size-1 dims and merging neighbours
  // that stay neighbours in the input.
  Shape st = shape_strides(shape);
  std::vector<int64_t> dims, strides;
  for (int64_t p : perm) {
    int64_t d = shape[p], s = st[p];
    if (d == 1) continue;
    if (!dims.empty() && strides.back() == s * d) {
      dims.back() *= d;
      strides.back() = s;
    } else {
      dims.push_back(d);
      strides.push_back(s);
    }
  }
  if (dims.empty()) {
    dims.push_back(1);
    strides.push_back(1);
  }
  const int64_t inner = dims.back(), rows = numel / inner;
  // The output dim that reads the input contiguously, when the last one does not.
  size_t q = dims.size();
  if (strides.back() != 1)
    for (size_t i = 0; i + 1 < dims.size(); ++i)
      if (strides[i] == 1) q = i;
  auto run = [&](auto tag) {
    using E = typename decltype(tag)::type;
    const E* s = static_cast<const E*>(src);
    E* d = static_cast<E*>(dst);
    if (q < dims.size()) {
      const int64_t outer = numel / (dims[q] * inner);
      parallel_for(ctx, outer, grain_for(outer, dims[q] * inner),
                   [&](int64_t lo, int64_t hi) { copy_blocked(s, d, dims, strides, q, lo, hi); });
      return;
    }
    parallel_for(ctx, rows, grain_for(rows, inner), [&](int64_t lo, int64_t hi) { copy_rows(s, d, dims, strides, lo, hi); });
  };
  switch (elem_size) {
    case 1: run(TypeTag<uint8_t>{}); break;
    case 2: run(TypeTag<uint16_t>{}); break;
    case 4: run(TypeTag<uint32_t>{}); break;
    case 8: run(TypeTag<uint64_t>{}); break;
    default: CODA_CHECK(false, "permute_copy: element size %zu", elem_size);
  }
}

}  // namespace coda::exec::kern
