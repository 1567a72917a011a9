// Element types of coda tensors, with their ONNX codes, sizes and names.
//
//   DType t = DType::i8;  dtype_size(t) == 1;  dtype_name(t) == "int8";
//   visit_dtype(t, [&](auto tag) { using T = typename decltype(tag)::type; ... });
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace coda {

// X(enum, C++ type, ONNX TensorProto code, name)
#define CODA_FOR_EACH_DTYPE(X)      \
  X(f32, float, 1, "float32")      \
  X(u8, uint8_t, 2, "uint8")       \
  X(i8, int8_t, 3, "int8")         \
  X(u16, uint16_t, 4, "uint16")    \
  X(i16, int16_t, 5, "int16")      \
  X(i32, int32_t, 6, "int32")      \
  X(i64, int64_t, 7, "int64")      \
  X(boolean, bool, 9, "bool")      \
  X(f64, double, 11, "float64")    \
  X(u32, uint32_t, 12, "uint32")   \
  X(u64, uint64_t, 13, "uint64")

enum class DType : uint8_t {
#define CODA_X(e, T, code, name) e,
  CODA_FOR_EACH_DTYPE(CODA_X)
#undef CODA_X
      undefined
};

size_t dtype_size(DType t);
const char* dtype_name(DType t);
int dtype_onnx_code(DType t);
// Returns DType::undefined for codes coda does not support (float16, string, complex, ...).
DType dtype_from_onnx(int code);
bool dtype_is_float(DType t);
bool dtype_is_integer(DType t);

template <class T> struct TypeTag { using type = T; };

template <class T> constexpr DType dtype_of();
#define CODA_X(e, T, code, name) \
  template <> constexpr DType dtype_of<T>() { return DType::e; }
CODA_FOR_EACH_DTYPE(CODA_X)
#undef CODA_X

// Calls f(TypeTag<T>{}) for the C++ type of t.
template <class F> decltype(auto) visit_dtype(DType t, F&& f) {
  switch (t) {
#define CODA_X(e, T, code, name) \
  case DType::e: return f(TypeTag<T>{});
    CODA_FOR_EACH_DTYPE(CODA_X)
#undef CODA_X
    default: return f(TypeTag<float>{});
  }
}

}  // namespace coda
