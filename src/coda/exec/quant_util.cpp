#include "coda/exec/quant_util.h"

#include <limits>

namespace coda::exec::kern {

void quant_range(const Node& n, DType t, int32_t& qmin, int32_t& qmax) {
  switch (t) {
    case DType::u8: qmin = 0; qmax = 255; return;
    case DType::i8: qmin = -128; qmax = 127; return;
    case DType::u16: qmin = 0; qmax = 65535; return;
    case DType::i16: qmin = -32768; qmax = 32767; return;
    case DType::i32: qmin = std::numeric_limits<int32_t>::min(); qmax = std::numeric_limits<int32_t>::max(); return;
    default: unsupported(n, "quantized type %s is not supported (uint8 / int8)", dtype_name(t));
  }
}

QuantZeroPoint zero_point_input(const Node& n, const Inputs& in, size_t k, const char* what, int64_t channels,
                                DType dflt) {
  QuantZeroPoint zp;
  zp.dtype = dflt;
  const Tensor* t = optional_input(in, k);
  if (!t) return zp;
  zp.dtype = t->dtype();
  if (t->dtype() != DType::u8 && t->dtype() != DType::i8 && t->dtype() != DType::i32)
    unsupported(n, "%s has dtype %s (uint8 / int8 supported)", what, dtype_name(t->dtype()));
  if (t->numel() != 1 && t->numel() != channels)
    invalid(n, "%s has %lld values, expected 1 or %lld", what, (long long)t->numel(), (long long)channels);
  zp.values.resize(static_cast<size_t>(t->numel()));
  for (int64_t i = 0; i < t->numel(); ++i) zp.values[i] = static_cast<int32_t>(t->get_i64(i));
  return zp;
}

QuantScale scale_input(const Node& n, const Inputs& in, size_t k, const char* what, int64_t channels) {
  const Tensor& t = input(n, in, k);
  require_dtype(n, t, {DType::f32}, what);
  if (t.numel() != 1 && t.numel() != channels)
    invalid(n, "%s has %lld values, expected 1 or %lld", what, (long long)t.numel(), (long long)channels);
  QuantScale s;
  s.values.assign(t.data<float>(), t.data<float>() + t.numel());
  return s;
}

void require_byte_zero_point(const Node& n, const QuantZeroPoint& zp, const char* what) {
  if (zp.dtype != DType::u8 && zp.dtype != DType::i8)
    unsupported(n, "%s of dtype %s is not supported (uint8 / int8)", what, dtype_name(zp.dtype));
}

}  // namespace coda::exec::kern
