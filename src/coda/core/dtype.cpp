#include "coda/core/dtype.h"

namespace coda {

size_t dtype_size(DType t) {
  switch (t) {
#define CODA_X(e, T, code, name) case DType::e: return sizeof(T);
    CODA_FOR_EACH_DTYPE(CODA_X)
#undef CODA_X
    default: return 0;
  }
}

const char* dtype_name(DType t) {
  switch (t) {
#define CODA_X(e, T, code, name) case DType::e: return name;
    CODA_FOR_EACH_DTYPE(CODA_X)
#undef CODA_X
    default: return "undefined";
  }
}

int dtype_onnx_code(DType t) {
  switch (t) {
#define CODA_X(e, T, code, name) case DType::e: return code;
    CODA_FOR_EACH_DTYPE(CODA_X)
#undef CODA_X
    default: return 0;
  }
}

DType dtype_from_onnx(int c) {
#define CODA_X(e, T, code, name) if (c == code) return DType::e;
  CODA_FOR_EACH_DTYPE(CODA_X)
#undef CODA_X
  return DType::undefined;
}

bool dtype_is_float(DType t) { return t == DType::f32 || t == DType::f64; }
bool dtype_is_integer(DType t) { return !dtype_is_float(t) && t != DType::boolean && t != DType::undefined; }

}  // namespace coda
