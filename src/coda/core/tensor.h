// coda::Tensor: a dense, row-major, typed n-d array with shared storage.
//
// Copies share the buffer (cheap, like a handle); clone() makes a deep copy.
//
//   Tensor t(DType::f32, {2, 3});           // zero-filled
//   t.data<float>()[4] = 1.f;
//   Tensor s = Tensor::scalar<int64_t>(7);
//   Tensor v = Tensor::from_vector<int64_t>({1, 2, 3}, {3});
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "coda/core/dtype.h"
#include "coda/core/error.h"

namespace coda {

using Shape = std::vector<int64_t>;

int64_t shape_numel(const Shape& s);        // product of dims (1 for a scalar); InvalidError on overflow
std::string shape_str(const Shape& s);      // "[1,3,224,224]"
Shape shape_strides(const Shape& s);        // row-major element strides

class Tensor {
 public:
  Tensor() = default;
  Tensor(DType dtype, Shape shape);  // zero-filled
  // The same without zero-filling: for kernels that write every element.
  static Tensor uninitialized(DType dtype, Shape shape);

  template <class T> static Tensor scalar(T v) {
    Tensor t(dtype_of<T>(), {});
    t.data<T>()[0] = v;
    return t;
  }
  template <class T> static Tensor from_vector(const std::vector<T>& v, Shape shape) {
    Tensor t(dtype_of<T>(), std::move(shape));
    CODA_CHECK(static_cast<int64_t>(v.size()) == t.numel(), "from_vector: %zu values for shape %s", v.size(),
               shape_str(t.shape()).c_str());
    if (!v.empty()) {
      if constexpr (std::is_same_v<T, bool>) {
        for (size_t i = 0; i < v.size(); ++i) t.data<bool>()[i] = v[i];
      } else {
        std::memcpy(t.raw(), v.data(), v.size() * sizeof(T));
      }
    }
    return t;
  }

  bool defined() const { return dtype_ != DType::undefined; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t dim(int64_t i) const { return shape_.at(static_cast<size_t>(i < 0 ? i + rank() : i)); }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }

  void* raw() { return buf_ ? buf_.get() : nullptr; }
  const void* raw() const { return buf_ ? buf_.get() : nullptr; }
  template <class T> T* data() {
    CODA_CHECK(dtype_of<T>() == dtype_, "tensor is %s, accessed as %s", dtype_name(dtype_), dtype_name(dtype_of<T>()));
    return static_cast<T*>(raw());
  }
  template <class T> const T* data() const {
    CODA_CHECK(dtype_of<T>() == dtype_, "tensor is %s, accessed as %s", dtype_name(dtype_), dtype_name(dtype_of<T>()));
    return static_cast<const T*>(raw());
  }

  // Element i converted to double / int64 whatever the dtype (for small plumbing tensors). Floating
  // values become int64 truncated toward zero, saturating at the int64 range, NaN as 0.
  double get_f64(int64_t i) const;
  int64_t get_i64(int64_t i) const;
  std::vector<int64_t> to_i64_vector() const;
  std::vector<float> to_f32_vector() const;

  Tensor clone() const;
  // Same buffer, new shape of equal numel.
  Tensor reshaped(Shape shape) const;
  // Converts element-wise (float -> int truncates toward zero, like ONNX Cast).
  Tensor cast(DType to) const;

 private:
  DType dtype_ = DType::undefined;
  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<std::byte[]> buf_;
};

}  // namespace coda
