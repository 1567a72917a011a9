#include "coda/exec/quant_util.h"

#include <algorithm>
#include <limits>

#include "coda/exec/igemm.h"

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

std::vector<int16_t> centered_i16(const Node& n, const Tensor& x, const QuantZeroPoint& zp, int64_t inner,
                                  int64_t channels) {
  std::vector<int16_t> out(static_cast<size_t>(x.numel()));
  auto fill = [&](const auto* p) {
    if (zp.values.size() == 1) {
      const int32_t z = zp.values[0];
      for (int64_t i = 0; i < x.numel(); ++i) out[i] = static_cast<int16_t>(static_cast<int32_t>(p[i]) - z);
      return;
    }
    for (int64_t i = 0; i < x.numel(); ++i)
      out[i] = static_cast<int16_t>(static_cast<int32_t>(p[i]) - zp.values[static_cast<size_t>((i / inner) % channels)]);
  };
  if (x.dtype() == DType::u8) fill(x.data<uint8_t>());
  else if (x.dtype() == DType::i8) fill(x.data<int8_t>());
  else unsupported(n, "quantized input of dtype %s is not supported (uint8 / int8)", dtype_name(x.dtype()));
  if (zp.dtype != DType::u8 && zp.dtype != DType::i8) unsupported(n, "zero point of dtype %s", dtype_name(zp.dtype));
  return out;
}

void igemm(int64_t m, int64_t n, int64_t k, const int16_t* a, int64_t lda, const int16_t* b, int64_t ldb, int32_t* c,
           int64_t ldc, KernelContext& ctx) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0);
    return;
  }
  const IgemmFn fn = best_igemm();
  // Row blocks of 16 (a multiple of every kernel's tile height); B is repacked once per block.
  const int64_t blocks = (m + 15) / 16;
  parallel_for(ctx, blocks, grain_for(blocks, 16 * n * k, 1 << 20), [&](int64_t lo, int64_t hi) {
    const int64_t r0 = lo * 16, r1 = std::min(m, hi * 16);
    fn(r1 - r0, n, k, a + r0 * lda, lda, b, ldb, c + r0 * ldc, ldc);
  });
}

}  // namespace coda::exec::kern
