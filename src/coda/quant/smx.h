// SMX, PINTA's square-block MX-INT (specs/papers.md section 3): a 2-D matrix is tiled into 4x4 blocks
// (partial blocks at the right and bottom edges) sharing s = 2^(floor(log2(amax)) - emax), with
// emax = floor(log2(2^(b-1) - 1)) = b - 2 (6 for INT8, 10 for INT12). Mantissas are
// m = clamp(round_half_even(x / s), -(2^(b-1)-1), 2^(b-1)-1). A square block is unchanged by
// transposition, so quantize(W^T) == quantize(W)^T exactly.
//
//   NumberFormat f = parse_format("smx8");
//   QuantParams p = smx_params(w, f);       // scale shape [ceil(R/4), ceil(C/4)]
//   Tensor m = smx_quantize(w, f, p);       // i32 mantissas
#pragma once
#include "coda/quant/quantize.h"

namespace coda::quant {

QuantParams smx_params(const Tensor& x, const NumberFormat& f);
Tensor smx_quantize(const Tensor& x, const NumberFormat& f, const QuantParams& p);
Tensor smx_dequantize(const Tensor& codes, const NumberFormat& f, const QuantParams& p);

}  // namespace coda::quant
