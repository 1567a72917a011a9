#include "coda/quant/quantize.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "coda/quant/axis_layout.h"
#include "coda/quant/mx.h"
#include "coda/quant/smx.h"

namespace coda::quant {

namespace {

constexpr const char* kWhere = "quantize";

void check_f32(const Tensor& x, const char* what) {
  if (x.dtype() != DType::f32)
    throw InvalidError(kWhere, format("%s must be float32, got %s", what, dtype_name(x.dtype())));
}

// Index of the scale that element `flat` of a tensor of `shape` uses.
struct ScaleIndex {
  Granularity g = Granularity::PerTensor;
  AxisLayout l;
  int64_t group = 1;
  ScaleIndex(const Shape& shape, const NumberFormat& f) : g(f.granularity) {
    if (g != Granularity::PerTensor) l = AxisLayout::of(shape, f.axis, kWhere);
    group = f.group_size;
  }
  int64_t operator()(int64_t flat) const {
    switch (g) {
      case Granularity::PerTensor: return 0;
      case Granularity::PerChannel: return l.channel_of(flat);
      default: return l.group_index(flat, group);
    }
  }
};

void check_params(const Shape& shape, const NumberFormat& f, const QuantParams& p) {
  const Shape want = param_shape(shape, f);
  if (!p.scale.defined() || p.scale.dtype() != DType::f32 || p.scale.shape() != want)
    throw InvalidError(kWhere, format("%s needs f32 scales of shape %s for a tensor of shape %s", format_name(f).c_str(),
                                      shape_str(want).c_str(), shape_str(shape).c_str()));
  if (!p.zero_point.defined() || p.zero_point.dtype() != DType::i32 || p.zero_point.shape() != want)
    throw InvalidError(kWhere, format("%s needs i32 zero points of shape %s", format_name(f).c_str(), shape_str(want).c_str()));
}

void check_format(const NumberFormat& f) {
  if (f.kind == FormatKind::Int && (f.bits < 2 || f.bits > 16))
    throw InvalidError(kWhere, format("INT bit width %d is unsupported (2..16)", f.bits));
  if (f.kind == FormatKind::Smx && f.bits != 8 && f.bits != 12)
    throw InvalidError(kWhere, format("SMX mantissa width %d is unsupported (8 or 12)", f.bits));
  if (f.granularity == Granularity::PerGroup && f.group_size < 1)
    throw InvalidError(kWhere, format("group size %lld is not positive", static_cast<long long>(f.group_size)));
}

double fp8_max(const NumberFormat& f) { return minifloat_spec(to_minifloat(f.fp8)).max_value; }

}  // namespace

Shape param_shape(const Shape& shape, const NumberFormat& f) {
  check_format(f);
  if (f.kind == FormatKind::Mx) return AxisLayout::of(shape, f.axis, kWhere).grouped_shape(shape, f.block_size);
  if (f.kind == FormatKind::Smx) {
    if (shape.size() != 2) throw InvalidError(kWhere, "SMX blocks a 2-D matrix; got shape " + shape_str(shape));
    return {(shape[0] + 3) / 4, (shape[1] + 3) / 4};
  }
  switch (f.granularity) {
    case Granularity::PerTensor: return {};
    case Granularity::PerChannel: return {AxisLayout::of(shape, f.axis, kWhere).dim};
    default: return AxisLayout::of(shape, f.axis, kWhere).grouped_shape(shape, f.group_size);
  }
}

QuantParams choose_params(const NumberFormat& f, const Tensor& min, const Tensor& max) {
  check_format(f);
  if (f.is_block_format())
    throw InvalidError(kWhere, format_name(f) + " takes its block scales from the data (params_from_data)");
  check_f32(min, "min");
  check_f32(max, "max");
  if (min.shape() != max.shape())
    throw InvalidError(kWhere, "min has shape " + shape_str(min.shape()) + ", max has " + shape_str(max.shape()));
  QuantParams p{Tensor(DType::f32, min.shape()), Tensor(DType::i32, min.shape())};
  const float* lo = min.data<float>();
  const float* hi = max.data<float>();
  for (int64_t k = 0; k < min.numel(); ++k) {
    if (!std::isfinite(lo[k]) || !std::isfinite(hi[k]) || lo[k] > hi[k])
      throw InvalidError(kWhere, format("range [%g, %g] is not a finite interval", lo[k], hi[k]));
    const double rmin = std::min(0.0, static_cast<double>(lo[k])), rmax = std::max(0.0, static_cast<double>(hi[k]));
    float scale;
    int32_t zp = 0;
    if (f.kind == FormatKind::Fp8) {
      scale = static_cast<float>(std::max(-rmin, rmax) / fp8_max(f));
    } else if (!f.asymmetric) {
      scale = static_cast<float>(std::max(-rmin, rmax) / static_cast<double>(f.qmax()));
    } else {
      scale = static_cast<float>((rmax - rmin) / static_cast<double>(f.qmax()));
      if (scale > 0)
        zp = static_cast<int32_t>(std::clamp(std::nearbyint(-rmin / scale), 0.0, static_cast<double>(f.qmax())));
    }
    if (!(scale > 0) || !std::isfinite(scale)) scale = 1.f, zp = 0;
    p.scale.data<float>()[k] = scale;
    p.zero_point.data<int32_t>()[k] = zp;
  }
  return p;
}

QuantParams choose_params(const NumberFormat& f, float min, float max) {
  if (f.granularity != Granularity::PerTensor || f.is_block_format())
    throw InvalidError(kWhere, format_name(f) + " needs one range per scale group, not a single min/max");
  return choose_params(f, Tensor::scalar<float>(min), Tensor::scalar<float>(max));
}

QuantParams params_from_data(const Tensor& x, const NumberFormat& f) {
  check_f32(x, "input");
  check_format(f);
  if (f.kind == FormatKind::Mx) return mx_params(x, f);
  if (f.kind == FormatKind::Smx) return smx_params(x, f);
  const Shape ps = param_shape(x.shape(), f);
  Tensor lo(DType::f32, ps), hi(DType::f32, ps);
  float* l = lo.data<float>();
  float* h = hi.data<float>();
  const ScaleIndex idx(x.shape(), f);
  const float* xs = x.data<float>();
  for (int64_t k = 0; k < x.numel(); ++k) {
    if (!std::isfinite(xs[k])) continue;  // NaN/inf never widen a range
    const int64_t g = idx(k);
    l[g] = std::min(l[g], xs[k]);  // lo/hi start at 0: ranges always include 0
    h[g] = std::max(h[g], xs[k]);
  }
  return choose_params(f, lo, hi);
}

Tensor quantize(const Tensor& x, const NumberFormat& f, const QuantParams& p) {
  check_f32(x, "input");
  check_params(x.shape(), f, p);
  if (f.kind == FormatKind::Mx) return mx_quantize(x, f, p);
  if (f.kind == FormatKind::Smx) return smx_quantize(x, f, p);
  const ScaleIndex idx(x.shape(), f);
  const float* xs = x.data<float>();
  const float* s = p.scale.data<float>();
  const int32_t* z = p.zero_point.data<int32_t>();
  if (f.kind == FormatKind::Fp8) {
    Tensor codes(DType::u8, x.shape());
    for (int64_t k = 0; k < x.numel(); ++k) codes.data<uint8_t>()[k] = encode_fp8(xs[k] / s[idx(k)], f.fp8, true);
    return codes;
  }
  Tensor codes(DType::i32, x.shape());
  int32_t* c = codes.data<int32_t>();
  const double lo = static_cast<double>(f.qmin()), hi = static_cast<double>(f.qmax());
  for (int64_t k = 0; k < x.numel(); ++k) {
    const int64_t g = idx(k);
    const float v = xs[k] / s[g];  // float division, as ONNX QuantizeLinear
    const double q = std::isnan(v) ? 0.0 : std::nearbyint(static_cast<double>(v)) + z[g];
    c[k] = static_cast<int32_t>(std::clamp(q, lo, hi));
  }
  return codes;
}

Tensor dequantize(const Tensor& codes, const NumberFormat& f, const QuantParams& p) {
  check_params(codes.shape(), f, p);
  const DType want = f.kind == FormatKind::Fp8 || (f.kind == FormatKind::Mx && f.element != MxElement::Int8) ? DType::u8
                                                                                                             : DType::i32;
  if (codes.dtype() != want)
    throw InvalidError("dequantize", format("%s codes must be %s, got %s", format_name(f).c_str(), dtype_name(want),
                                            dtype_name(codes.dtype())));
  if (f.kind == FormatKind::Mx) return mx_dequantize(codes, f, p);
  if (f.kind == FormatKind::Smx) return smx_dequantize(codes, f, p);
  const ScaleIndex idx(codes.shape(), f);
  const float* s = p.scale.data<float>();
  const int32_t* z = p.zero_point.data<int32_t>();
  Tensor out(DType::f32, codes.shape());
  float* o = out.data<float>();
  if (f.kind == FormatKind::Fp8) {
    for (int64_t k = 0; k < codes.numel(); ++k) o[k] = decode_fp8(codes.data<uint8_t>()[k], f.fp8) * s[idx(k)];
    return out;
  }
  const int32_t* c = codes.data<int32_t>();
  for (int64_t k = 0; k < codes.numel(); ++k) {
    const int64_t g = idx(k);
    o[k] = static_cast<float>(c[k] - z[g]) * s[g];  // ONNX DequantizeLinear
  }
  return out;
}

Tensor fake_quantize(const Tensor& x, const NumberFormat& f, const QuantParams& p) {
  return dequantize(quantize(x, f, p), f, p);
}

Tensor fake_quantize(const Tensor& x, const NumberFormat& f) { return fake_quantize(x, f, params_from_data(x, f)); }

}  // namespace coda::quant
