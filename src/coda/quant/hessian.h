// GPTQ's layer Hessian from calibration inputs, and the helpers that turn a layer's input into rows.
//
// For a layer y = W x with W [rows, columns] (columns = the reduction dims), GPTQ minimises
// tr((W - Q) H (W - Q)^T) with H = (2 / N) sum_r w_r x_r x_r^T over calibration rows x_r.
// HessianAccumulator builds H batch by batch in double with GPTQ's running-mean update
//   H <- H * N / (N + n);  N <- N + n;  H <- H + (2 / N) * sum_{r in batch} w_r x_r x_r^T
// so after any sequence of batches H equals the closed form over all rows. N counts rows (not
// samples, and not row weights): w_r = 1 unless row weights are given (ESCA's importance-weighted
// Hessian). The overall scale of H does not change GPTQ's result (damping is relative to mean diag H).
//
//   HessianAccumulator acc(in_features);
//   for (const Tensor& x : calib) acc.add_rows(flatten_rows(x));             // MatMul/Gemm input [..., in]
//   Tensor h = acc.hessian();                                                 // f64 [in, in]
//
//   ConvWindow cw{.kernel = {3, 3}, .stride = {2, 2}, .pads = {1, 1, 1, 1}, .groups = 1};
//   HessianAccumulator conv_acc(C * 3 * 3);
//   conv_acc.add_rows(unfold_conv_input(x /*[N, C, H, W]*/, cw));           // rows [N*OH*OW, C*3*3]
//
// ESCA masks the layer input pixel-wise before unfolding (x * M, then unfold); that is
// unfold_conv_input(masked x). Row weights instead scale whole rows (output positions).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "coda/core/tensor.h"

namespace coda::quant {

class HessianAccumulator {
 public:
  explicit HessianAccumulator(int64_t columns);  // columns >= 1 (InvalidError otherwise)
  // rows: f32 [n, columns] (n may be 0: no change); row_weight: undefined, or f32 [n] with finite
  // entries >= 0. Non-finite rows, a wrong shape or a negative weight -> InvalidError.
  void add_rows(const Tensor& rows, const Tensor& row_weight = {});
  // f64 [columns, columns], symmetric; all zeros before any row was added.
  Tensor hessian() const;
  int64_t rows_seen() const { return rows_seen_; }
  int64_t columns() const { return columns_; }

 private:
  int64_t columns_ = 0;
  int64_t rows_seen_ = 0;
  std::vector<double> h_;  // row-major [columns, columns]
};

// A 2-D convolution window (ONNX Conv attributes).
struct ConvWindow {
  std::array<int64_t, 2> kernel{1, 1};
  std::array<int64_t, 2> stride{1, 1};
  std::array<int64_t, 2> dilation{1, 1};
  std::array<int64_t, 4> pads{};  // ONNX order [top, left, bottom, right]
  int64_t groups = 1;
};

// im2col rows of a conv input: x f32 [N, C, H, W] -> f32 [N*OH*OW, (C/groups)*kh*kw] for group
// `group` (input channels group*C/groups ...), rows ordered (n, oh, ow), columns ordered (c, kh, kw)
// to match a Conv weight [K, C/groups, kh, kw] flattened per output channel. Padding reads zeros.
// OH = (H + top + bottom - dilation_h*(kh-1) - 1) / stride_h + 1 (likewise OW).
Tensor unfold_conv_input(const Tensor& x, const ConvWindow& w, int64_t group = 0);

// A MatMul/Gemm input f32 [..., in] (rank >= 1) as rows [prod(...), in]: a view sharing x's buffer.
Tensor flatten_rows(const Tensor& x);

}  // namespace coda::quant
