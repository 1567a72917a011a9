#include "coda/core/tensor.h"

#include "coda/core/memory.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace coda {

int64_t shape_numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s)
    if (__builtin_mul_overflow(n, d, &n))
      throw InvalidError("shape", "shape " + shape_str(s) + " has more elements than a 64-bit count holds");
  return n;
}

std::string shape_str(const Shape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? "," : "") + (s[i] < 0 ? std::string("?") : std::to_string(s[i]));
  return r + "]";
}

Shape shape_strides(const Shape& s) {
  Shape st(s.size(), 1);
  // Only a tensor with no elements can have strides past 2^63 (e.g. [0, 5, 2^62]); they saturate.
  for (int64_t i = static_cast<int64_t>(s.size()) - 2; i >= 0; --i)
    if (__builtin_mul_overflow(st[i + 1], s[i + 1], &st[i])) st[i] = std::numeric_limits<int64_t>::max();
  return st;
}

namespace {
// 64-byte aligned storage for SIMD kernels, at least one byte so raw() is never null.
// Counted against the memory limit (core/memory.h) while it lives.
std::shared_ptr<std::byte[]> allocate(size_t bytes, bool zero, DType dtype, const Shape& shape) {
  const size_t alloc = (bytes + 63) / 64 * 64 + 64;
  if (alloc > (size_t{1} << 20))  // small tensors are not worth a message
    internal::reserve_tensor_bytes(alloc, "a " + shape_str(shape) + " " + dtype_name(dtype) + " tensor");
  else
    internal::reserve_tensor_bytes(alloc, "a tensor");
  std::byte* p;
  try {
    p = zero ? new (std::align_val_t(64)) std::byte[alloc]() : new (std::align_val_t(64)) std::byte[alloc];
  } catch (const std::bad_alloc&) {
    internal::release_tensor_bytes(alloc);
    throw ResourceError("memory", "a " + shape_str(shape) + " " + dtype_name(dtype) + " tensor needs " + format_bytes(alloc) +
                                      ", which the system could not allocate");
  }
  return std::shared_ptr<std::byte[]>(p, [alloc](std::byte* q) {
    operator delete[](q, std::align_val_t(64));
    internal::release_tensor_bytes(alloc);
  });
}
// numel of a tensor about to be allocated; ResourceError when its byte size overflows. The product of
// the non-zero dimensions is held to the same bound, so that an empty tensor ([0, 5, 2^62]) has strides
// and loop counts that fit 64 bits as well: kernels need not check.
int64_t checked_numel(const Shape& shape, DType dtype) {
  int64_t n = 1, extent = 1;
  const int64_t limit = (int64_t{1} << 60) / static_cast<int64_t>(std::max<size_t>(1, dtype_size(dtype)));
  for (int64_t d : shape) {
    CODA_CHECK(d >= 0, "negative dimension in %s", shape_str(shape).c_str());
    if (__builtin_mul_overflow(extent, std::max<int64_t>(d, 1), &extent) || extent > limit)
      throw ResourceError("memory", "a " + shape_str(shape) + " " + dtype_name(dtype) + " tensor is larger than any memory");
    n *= d;
  }
  return n;
}
}  // namespace

Tensor::Tensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  numel_ = checked_numel(shape_, dtype_);
  buf_ = allocate(nbytes(), true, dtype_, shape_);
}

Tensor Tensor::uninitialized(DType dtype, Shape shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.numel_ = checked_numel(t.shape_, t.dtype_);
  t.buf_ = allocate(t.nbytes(), false, t.dtype_, t.shape_);
  return t;
}

double Tensor::get_f64(int64_t i) const {
  return visit_dtype(dtype_, [&](auto tag) -> double {
    using T = typename decltype(tag)::type;
    return static_cast<double>(static_cast<const T*>(raw())[i]);
  });
}

int64_t Tensor::get_i64(int64_t i) const {
  return visit_dtype(dtype_, [&](auto tag) -> int64_t {
    using T = typename decltype(tag)::type;
    const T v = static_cast<const T*>(raw())[i];
    if constexpr (std::is_floating_point_v<T>) {  // saturating: a cast out of range would be undefined
      if (!(v == v)) return 0;
      if (v >= static_cast<T>(0x1p63)) return INT64_MAX;
      if (v < static_cast<T>(-0x1p63)) return INT64_MIN;
    }
    return static_cast<int64_t>(v);
  });
}

std::vector<int64_t> Tensor::to_i64_vector() const {
  std::vector<int64_t> v(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) v[i] = get_i64(i);
  return v;
}

std::vector<float> Tensor::to_f32_vector() const {
  std::vector<float> v(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) v[i] = static_cast<float>(get_f64(i));
  return v;
}

Tensor Tensor::clone() const {
  if (!defined()) return {};
  Tensor t(dtype_, shape_);
  if (nbytes()) std::memcpy(t.raw(), raw(), nbytes());
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  CODA_CHECK(shape_numel(shape) == numel_, "reshape %s to %s", shape_str(shape_).c_str(), shape_str(shape).c_str());
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

namespace {
template <class To, class From> To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(v)) return To(0);
    // Out-of-range float->int is undefined in C++; clamp to the destination range first.
    constexpr double lo = static_cast<double>(std::numeric_limits<To>::lowest());
    constexpr double hi = static_cast<double>(std::numeric_limits<To>::max());
    double d = static_cast<double>(v);
    if (d <= lo) return std::numeric_limits<To>::lowest();
    if (d >= hi) return std::numeric_limits<To>::max();
    return static_cast<To>(d);
  } else {
    return static_cast<To>(v);
  }
}
}  // namespace

Tensor Tensor::cast(DType to) const {
  Tensor out(to, shape_);
  visit_dtype(dtype_, [&](auto ftag) {
    using F = typename decltype(ftag)::type;
    visit_dtype(to, [&](auto ttag) {
      using T = typename decltype(ttag)::type;
      const F* s = static_cast<const F*>(raw());
      T* d = static_cast<T*>(out.raw());
      for (int64_t i = 0; i < numel_; ++i) d[i] = convert<T, F>(s[i]);
    });
  });
  return out;
}

}  // namespace coda
