// OCP Microscaling (MX v1.0) block quantization: MXINT8, MXFP8 (E4M3/E5M2), MXFP6 (E3M2/E2M3), MXFP4.
//
// Blocks of f.block_size (32) consecutive elements along f.axis (default the last) share the scale
// X = 2^(floor(log2(amax)) - emax_elem) (block_scale.h). Each element v / X is quantized to the element
// format with round-half-to-even and saturation to the element max (E4M3 448, E5M2 57344, E3M2 28,
// E2M3 7.5, E2M1 6); MXINT8 elements are k/64, k = clamp(round(v/X * 64), -127, 127) (emax 0).
// A last partial block is allowed (the spec's blocks are whole; coda pads nothing, it just uses fewer).
//
//   NumberFormat f = parse_format("mxfp4");
//   QuantParams p = mx_params(x, f);            // scales shape: x with the last dim -> ceil(n/32)
//   Tensor codes = mx_quantize(x, f, p);        // u8 E2M1 bit patterns (i32 k for MXINT8)
#pragma once
#include "coda/quant/quantize.h"

namespace coda::quant {

QuantParams mx_params(const Tensor& x, const NumberFormat& f);
Tensor mx_quantize(const Tensor& x, const NumberFormat& f, const QuantParams& p);
Tensor mx_dequantize(const Tensor& codes, const NumberFormat& f, const QuantParams& p);

}  // namespace coda::quant
