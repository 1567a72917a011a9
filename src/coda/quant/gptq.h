// GPTQ (Frantar et al. 2022, Algorithm 1): quantize a weight column by column, feeding each column's
// rounding error back into the columns not yet quantized through the inverse Hessian.
//
// w is f32 [rows = output channels, cols = reduction dims]; h is the [cols, cols] Hessian of the
// layer input (HessianAccumulator), f32 or f64. The steps follow the reference code (IST-DASLab
// gptq.py `fasterquant`, which ESCA's qlib/gptq.py copies):
//   1. dead columns (H_jj == 0) get H_jj = 1 and W[:, j] = 0;
//   2. per-tensor / per-channel params (and, with static_groups, every group's params) from that W;
//   3. act_order: columns processed by descending diag H (stable sort; ties keep natural order);
//   4. H += damp * mean(diag H) * I; Hinv = H^-1 by Cholesky; U = upper Cholesky factor of Hinv;
//   5. blocks of `block` columns: for column j (d = U_jj), q = quantize(W[:, j]),
//      W[:, j:] -= ((W[:, j] - q) / d) * U[j, j:] inside the block, and after the block the lazy
//      batch update W[:, end:] -= Err * U[block, end:] of every later column;
//   6. without static_groups, a group's params are found when the group starts (in processing order)
//      from the min-max of its columns as W stands at the start of the current block -- exactly as
//      the reference (`find_params(W[:, j:j+g])` reads W, not the block's working copy).
// Quantization follows quant::quantize bit for bit (float division, half-to-even, clamp; value =
// (code - zero_point) * scale in f32) and params follow quant::choose_params, so with a diagonal H
// (and no act_order regrouping) the result equals fake_quantize(w, fmt) exactly.
// Internally everything is double (W, H, its factors, the error feedback); only the rounding step
// sees W[:, j] as f32, as quantize would. The per-column loop does not allocate (a group start
// builds one QuantParams for its rows).
//
//   HessianAccumulator acc(in);  ...  acc.add_rows(x);
//   GptqResult r = gptq_quantize(w /*[out, in]*/, acc.hessian(), parse_format("int4/g128/asym"));
//   // r.weight: f32 [out, in] to put back in the graph; r.codes, r.scale, r.zero_point, r.group_index
//   // describe it exactly: weight[i, j] == (codes[i, j] - zero_point[i, g]) * scale[i, g], g = group_index[j].
//   printf("%g vs RTN %g\n", r.error_gptq, r.error_rtn);
#pragma once
#include <cstdint>

#include "coda/core/tensor.h"
#include "coda/quant/number_format.h"

namespace coda::quant {

struct GptqOptions {
  double damp = 0.01;          // lambda = damp * mean(diag H) added to the diagonal (>= 0)
  int64_t block = 128;         // columns per lazy-batch block (>= 1); the result does not depend on it
                               // except through rounding of the double arithmetic and the group quirk of step 6
  bool act_order = true;       // process columns by descending diag H
  bool static_groups = false;  // with groups: every natural-order group's params from the (dead-zeroed)
                               // original W up front (AutoGPTQ's static_groups); false: params found
                               // on the fly when a group starts, in processing order (GPTQ/ESCA code)
};

struct GptqResult {
  Tensor weight;             // f32 [rows, cols]: the fake-quantized weight (dequantized codes)
  Tensor codes;              // i32 [rows, cols]
  Tensor scale;              // f32 [rows, groups]; per channel: [rows, 1]; per tensor: [1, 1]
  Tensor zero_point;         // i32, scale's shape (0 for symmetric formats)
  Tensor group_index;        // i32 [cols]: column j uses scale[:, group_index[j]] (all 0 without groups)
  double error_rtn = 0;      // tr((W - Q) H (W - Q)^T) for round-to-nearest in the same format (fake_quantize(w, fmt))
  double error_gptq = 0;     // the same for GPTQ's result; both with the H given (undamped)
};

// fmt: an Int NumberFormat, symmetric or asymmetric; per tensor, per channel along axis 0 (rows),
// or per group of g along the columns (axis 1 / -1). Anything else, a shape mismatch, non-finite
// values, bad options, or an H that is not positive definite after damping -> InvalidError.
GptqResult gptq_quantize(const Tensor& w, const Tensor& h, const NumberFormat& fmt, const GptqOptions& opt = {});

}  // namespace coda::quant
