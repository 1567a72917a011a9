#include "coda/quant/mx.h"

#include <algorithm>
#include <cmath>

#include "coda/quant/axis_layout.h"
#include "coda/quant/block_scale.h"

namespace coda::quant {

namespace {

constexpr const char* kWhere = "mx quantize";

AxisLayout layout(const Tensor& x, const NumberFormat& f) { return AxisLayout::of(x.shape(), f.axis, kWhere); }

}  // namespace

QuantParams mx_params(const Tensor& x, const NumberFormat& f) {
  CODA_CHECK(f.kind == FormatKind::Mx, "mx_params on a non-MX format");
  const AxisLayout l = layout(x, f);
  const int emax = mx_element_emax(f.element);
  Tensor amax(DType::f32, l.grouped_shape(x.shape(), f.block_size));
  float* a = amax.data<float>();
  const float* xs = x.data<float>();
  for (int64_t k = 0; k < x.numel(); ++k) {
    float& m = a[l.group_index(k, f.block_size)];
    const float v = std::fabs(xs[k]);
    if (std::isnan(v) || v > m) m = v;  // NaN sticks: any later comparison with it is false
  }
  QuantParams p{Tensor(DType::f32, amax.shape()), Tensor(DType::i32, amax.shape())};
  for (int64_t g = 0; g < amax.numel(); ++g) p.scale.data<float>()[g] = shared_block_scale(a[g], emax);
  return p;
}

Tensor mx_quantize(const Tensor& x, const NumberFormat& f, const QuantParams& p) {
  const AxisLayout l = layout(x, f);
  const float* xs = x.data<float>();
  const float* s = p.scale.data<float>();
  if (f.element == MxElement::Int8) {
    Tensor codes(DType::i32, x.shape());
    int32_t* c = codes.data<int32_t>();
    for (int64_t k = 0; k < x.numel(); ++k) {
      const double X = s[l.group_index(k, f.block_size)];
      if (std::isnan(X)) continue;
      const double q = std::nearbyint(static_cast<double>(xs[k]) / X * 64.0);
      c[k] = static_cast<int32_t>(std::clamp(q, -127.0, 127.0));
    }
    return codes;
  }
  const MiniFloat mf = mx_element_minifloat(f.element);
  Tensor codes(DType::u8, x.shape());
  uint8_t* c = codes.data<uint8_t>();
  for (int64_t k = 0; k < x.numel(); ++k) {
    const double X = s[l.group_index(k, f.block_size)];
    if (std::isnan(X)) continue;
    c[k] = encode_minifloat(static_cast<float>(static_cast<double>(xs[k]) / X), mf, /*saturate=*/true);
  }
  return codes;
}

Tensor mx_dequantize(const Tensor& codes, const NumberFormat& f, const QuantParams& p) {
  const AxisLayout l = layout(codes, f);
  const float* s = p.scale.data<float>();
  Tensor out(DType::f32, codes.shape());
  float* o = out.data<float>();
  if (f.element == MxElement::Int8) {
    const int32_t* c = codes.data<int32_t>();
    for (int64_t k = 0; k < codes.numel(); ++k)
      o[k] = static_cast<float>(c[k] / 64.0 * s[l.group_index(k, f.block_size)]);
    return out;
  }
  const MiniFloat mf = mx_element_minifloat(f.element);
  const uint8_t* c = codes.data<uint8_t>();
  for (int64_t k = 0; k < codes.numel(); ++k)
    o[k] = static_cast<float>(static_cast<double>(decode_minifloat(c[k], mf)) * s[l.group_index(k, f.block_size)]);
  return out;
}

}  // namespace coda::quant
