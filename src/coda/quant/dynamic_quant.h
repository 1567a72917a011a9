// ESCA's dynamic per-row activation quantization (specs/papers.md section 1 (a) 5; zmzfpc/ESCA
// qlib/quant.py ActQuantizer): each row of the last dimension gets its own range, recomputed per call.
//
// Asymmetric (ESCA's default): xmin = min(row_min, 0) * clip_ratio, xmax = max(row_max, 0) * clip_ratio,
//   scale = (xmax - xmin) / (2^b - 1), zero = round(-xmin / scale), q = clamp(round(x / scale) + zero, 0, 2^b - 1),
//   out = scale * (q - zero); an all-zero row uses [-1, 1].
// Symmetric: xmax = max(|xmin|, xmax), scale = xmax / (2^(b-1) - 1) (1 for an all-zero row),
//   q = clamp(round(x / scale), -2^(b-1), 2^(b-1) - 1) -- ESCA's sym_quant does use -2^(b-1) here,
//   unlike NumberFormat's symmetric INT.
// Rounding is half-to-even (torch.round). Returns the fake-quantized f32 tensor.
//
//   Tensor a = quantize_dynamic_per_row(x, /*bits=*/4, /*clip_ratio=*/0.9f, /*asymmetric=*/true);
#pragma once
#include "coda/core/tensor.h"

namespace coda::quant {

// InvalidError for a non-f32 or rank-0 x, bits outside 2..16, clip_ratio outside (0, 1].
Tensor quantize_dynamic_per_row(const Tensor& x, int bits, float clip_ratio = 0.9f, bool asymmetric = true);

}  // namespace coda::quant
