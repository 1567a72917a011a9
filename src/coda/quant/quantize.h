// Quantize, dequantize and fake-quantize tensors in any NumberFormat, and pick scales.
//
// QuantParams holds one scale (f32) and zero point (i32) per scale group:
//   per tensor: shape [];  per channel: [C] (C = size of `axis`);
//   per group:  x's shape with `axis` replaced by ceil(size / group_size) (a last partial group is allowed);
//   MX:         x's shape with the block axis replaced by ceil(size / 32); scales are powers of two (E8M0);
//   SMX:        [ceil(rows / 4), ceil(cols / 4)]; scales are powers of two.
// Codes: Int, MXINT8 and SMX -> i32 integers; Fp8 and MX float elements -> u8 bit patterns.
// x must be f32. Int: code = clamp(round_half_even(x / scale) + zero_point, qmin, qmax) as ONNX
// QuantizeLinear; value = (code - zero_point) * scale.
//
//   NumberFormat f = parse_format("int8/ch");
//   QuantParams p = params_from_data(w, f);          // per-channel min/max of w
//   Tensor codes = quantize(w, f, p);                // i32 in [-127, 127]
//   Tensor w_hat = fake_quantize(w, f, p);           // == dequantize(codes, f, p)
//   QuantParams q = choose_params(parse_format("uint8"), -1.f, 3.f);   // scale 4/255, zero point 64
#pragma once
#include "coda/core/tensor.h"
#include "coda/quant/number_format.h"

namespace coda::quant {

struct QuantParams {
  Tensor scale;       // f32
  Tensor zero_point;  // i32, same shape as scale (zeros unless asymmetric Int)
};

// Int and Fp8: scales from ranges. min/max are f32 tensors of the scale shape (a scalar per tensor).
// Symmetric Int: scale = max(|min|, |max|) / qmax. Asymmetric Int (ORT's rule): the range is widened
// to include 0, scale = (max - min) / (2^b - 1), zero_point = round_half_even(-min / scale).
// Fp8: scale = max(|min|, |max|) / max_value(format). An empty range (all 0) gets scale 1.
// Block formats take their scales from the data: use params_from_data (InvalidError here).
QuantParams choose_params(const NumberFormat& f, const Tensor& min, const Tensor& max);
QuantParams choose_params(const NumberFormat& f, float min, float max);  // per-tensor formats only

// Scales from x itself: min/max at the format's granularity (Int, Fp8), or the shared exponents (MX, SMX).
QuantParams params_from_data(const Tensor& x, const NumberFormat& f);

Tensor quantize(const Tensor& x, const NumberFormat& f, const QuantParams& p);
// Shape of the result is codes' shape; f32.
Tensor dequantize(const Tensor& codes, const NumberFormat& f, const QuantParams& p);
Tensor fake_quantize(const Tensor& x, const NumberFormat& f, const QuantParams& p);
Tensor fake_quantize(const Tensor& x, const NumberFormat& f);  // with params_from_data(x, f)

// The shape QuantParams must have for x of `shape` in format f (InvalidError on a bad axis/shape).
Shape param_shape(const Shape& shape, const NumberFormat& f);

}  // namespace coda::quant
