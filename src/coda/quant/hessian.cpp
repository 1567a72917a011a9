#include "coda/quant/hessian.h"

#include "coda/exec/gemm.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

namespace coda::quant {

namespace {

using RowMatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr const char* kWhere = "hessian";

void check_f32(const Tensor& x, const char* where, const char* what) {
  if (!x.defined() || x.dtype() != DType::f32)
    throw InvalidError(where, format("%s must be float32, got %s", what, x.defined() ? dtype_name(x.dtype()) : "nothing"));
}

}  // namespace

HessianAccumulator::HessianAccumulator(int64_t columns) : columns_(columns) {
  if (columns < 1) throw InvalidError(kWhere, format("a Hessian needs at least one column, got %lld", static_cast<long long>(columns)));
  h_.assign(static_cast<size_t>(columns * columns), 0.0);
}

void HessianAccumulator::add_rows(const Tensor& rows, const Tensor& row_weight) {
  check_f32(rows, kWhere, "calibration rows");
  if (rows.rank() != 2 || rows.dim(1) != columns_)
    throw InvalidError(kWhere, format("calibration rows must have shape [n, %lld], got %s", static_cast<long long>(columns_),
                                      shape_str(rows.shape()).c_str()));
  const int64_t n = rows.dim(0);
  if (row_weight.defined()) {
    check_f32(row_weight, kWhere, "row weights");
    if (row_weight.shape() != Shape{n})
      throw InvalidError(kWhere, format("row weights must have shape [%lld], got %s", static_cast<long long>(n),
                                        shape_str(row_weight.shape()).c_str()));
    const float* wt = row_weight.data<float>();
    for (int64_t r = 0; r < n; ++r)
      if (!std::isfinite(wt[r]) || wt[r] < 0.f)
        throw InvalidError(kWhere, format("row weight %lld is %g; weights must be finite and >= 0", static_cast<long long>(r),
                                          static_cast<double>(wt[r])));
  }
  const float* xs = rows.data<float>();
  for (int64_t k = 0; k < rows.numel(); ++k)
    if (!std::isfinite(xs[k]))
      throw InvalidError(kWhere, format("calibration row %lld has a non-finite value", static_cast<long long>(k / columns_)));
  if (n == 0) return;

  // X^T X in float with coda's SIMD GEMM, 2048 rows at a time (as GPTQ's float32 reference does per
  // batch), each chunk added to the double accumulator; rows scaled by sqrt(w_r) for the weighted form.
  constexpr int64_t kChunk = 2048;
  std::vector<float> scaled;
  std::vector<float> prod(static_cast<size_t>(columns_ * columns_));
  Eigen::Map<RowMatrixD> h(h_.data(), columns_, columns_);
  h *= static_cast<double>(rows_seen_) / static_cast<double>(rows_seen_ + n);
  rows_seen_ += n;
  const double f = 2.0 / static_cast<double>(rows_seen_);
  for (int64_t r0 = 0; r0 < n; r0 += kChunk) {
    const int64_t rn = std::min(kChunk, n - r0);
    const float* x = xs + r0 * columns_;
    if (row_weight.defined()) {
      scaled.assign(x, x + rn * columns_);
      const float* wt = row_weight.data<float>() + r0;
      for (int64_t r = 0; r < rn; ++r) {
        const float sw = static_cast<float>(std::sqrt(static_cast<double>(wt[r])));
        for (int64_t c = 0; c < columns_; ++c) scaled[static_cast<size_t>(r * columns_ + c)] *= sw;
      }
      x = scaled.data();
    }
    exec::kern::GemmArgs a;
    a.trans_a = true;
    a.m = columns_, a.n = columns_, a.k = rn;
    a.a = x, a.lda = columns_, a.b = x, a.ldb = columns_, a.c = prod.data(), a.ldc = columns_;
    exec::kern::sgemm(a, nullptr);
    for (int64_t k = 0; k < columns_ * columns_; ++k) h_[static_cast<size_t>(k)] += f * prod[static_cast<size_t>(k)];
  }
}

Tensor HessianAccumulator::hessian() const {
  Tensor out(DType::f64, {columns_, columns_});
  double* o = out.data<double>();
  // Symmetric exactly (the product is symmetric only up to summation order): the upper triangle.
  for (int64_t i = 0; i < columns_; ++i)
    for (int64_t j = 0; j < columns_; ++j)
      o[i * columns_ + j] = h_[static_cast<size_t>(std::min(i, j) * columns_ + std::max(i, j))];
  return out;
}

Tensor unfold_conv_input(const Tensor& x, const ConvWindow& w, int64_t group) {
  constexpr const char* where = "unfold_conv_input";
  check_f32(x, where, "input");
  if (x.rank() != 4) throw InvalidError(where, "input must be [N, C, H, W], got " + shape_str(x.shape()));
  for (int a = 0; a < 2; ++a)
    if (w.kernel[a] < 1 || w.stride[a] < 1 || w.dilation[a] < 1)
      throw InvalidError(where, format("kernel %lldx%lld, strides %lldx%lld and dilations %lldx%lld must be >= 1",
                                       static_cast<long long>(w.kernel[0]), static_cast<long long>(w.kernel[1]),
                                       static_cast<long long>(w.stride[0]), static_cast<long long>(w.stride[1]),
                                       static_cast<long long>(w.dilation[0]), static_cast<long long>(w.dilation[1])));
  for (int64_t p : w.pads)
    if (p < 0) throw InvalidError(where, format("pads must be >= 0, got %lld", static_cast<long long>(p)));
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  if (w.groups < 1 || C % w.groups != 0)
    throw InvalidError(where, format("%lld input channels do not split into %lld groups", static_cast<long long>(C),
                                     static_cast<long long>(w.groups)));
  if (group < 0 || group >= w.groups)
    throw InvalidError(where, format("group %lld is out of range [0, %lld)", static_cast<long long>(group),
                                     static_cast<long long>(w.groups)));
  const int64_t kh = w.kernel[0], kw = w.kernel[1], sh = w.stride[0], sw = w.stride[1], dh = w.dilation[0], dw = w.dilation[1];
  const int64_t pt = w.pads[0], pl = w.pads[1];
  const int64_t eh = H + pt + w.pads[2] - dh * (kh - 1) - 1, ew = W + pl + w.pads[3] - dw * (kw - 1) - 1;
  if (eh < 0 || ew < 0)
    throw InvalidError(where, format("a %lldx%lld window (dilation %lldx%lld) does not fit the padded %lldx%lld input",
                                     static_cast<long long>(kh), static_cast<long long>(kw), static_cast<long long>(dh),
                                     static_cast<long long>(dw), static_cast<long long>(H), static_cast<long long>(W)));
  const int64_t OH = eh / sh + 1, OW = ew / sw + 1, Cg = C / w.groups, c0 = group * Cg;
  const int64_t cols = Cg * kh * kw;
  Tensor out(DType::f32, {N * OH * OW, cols});
  const float* xs = x.data<float>();
  float* o = out.data<float>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        float* row = o + ((n * OH + oh) * OW + ow) * cols;
        for (int64_t c = 0; c < Cg; ++c) {
          const float* plane = xs + (n * C + c0 + c) * H * W;
          for (int64_t i = 0; i < kh; ++i) {
            const int64_t ih = oh * sh - pt + i * dh;
            for (int64_t j = 0; j < kw; ++j) {
              const int64_t iw = ow * sw - pl + j * dw;
              row[(c * kh + i) * kw + j] = ih >= 0 && ih < H && iw >= 0 && iw < W ? plane[ih * W + iw] : 0.f;
            }
          }
        }
      }
  return out;
}

Tensor flatten_rows(const Tensor& x) {
  check_f32(x, "flatten_rows", "input");
  if (x.rank() < 1) throw InvalidError("flatten_rows", "a scalar has no feature axis");
  int64_t lead = 1;
  for (int64_t a = 0; a + 1 < x.rank(); ++a) lead *= x.dim(a);
  return x.reshaped({lead, x.dim(-1)});
}

}  // namespace coda::quant
