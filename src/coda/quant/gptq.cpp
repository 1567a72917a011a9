#include "coda/quant/gptq.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "coda/quant/quantize.h"

namespace coda::quant {

namespace {

using RowMatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixD = Eigen::MatrixXd;

constexpr const char* kWhere = "gptq";

enum class Mode { PerTensor, PerChannel, PerGroup };

Mode check_format(const NumberFormat& fmt) {
  if (fmt.kind != FormatKind::Int)
    throw InvalidError(kWhere, "GPTQ needs an INT weight format, got " + format_name(fmt));
  if (fmt.bits < 2 || fmt.bits > 16) throw InvalidError(kWhere, format("INT bit width %d is unsupported (2..16)", fmt.bits));
  switch (fmt.granularity) {
    case Granularity::PerTensor: return Mode::PerTensor;
    case Granularity::PerChannel:
      if (fmt.axis != 0 && fmt.axis != -2)
        throw InvalidError(kWhere, format("per-channel scales must run along the output channels (axis 0), got axis %d", fmt.axis));
      return Mode::PerChannel;
    default:
      if (fmt.axis != 1 && fmt.axis != -1)
        throw InvalidError(kWhere, format("groups must run along the reduction columns (axis 1), got axis %d", fmt.axis));
      if (fmt.group_size < 1)
        throw InvalidError(kWhere, format("group size %lld is not positive", static_cast<long long>(fmt.group_size)));
      return Mode::PerGroup;
  }
}

// tr(E H E^T) with E = a - b (f32 [rows, cols]) and H [cols, cols] symmetric, in double, as
// sum_ij H_ij G_ij with the Gram matrix G = E^T E (a symmetric rank update: half a GEMM).
double trace_error(const Tensor& a, const Tensor& b, const MatrixD& h) {
  const int64_t rows = a.dim(0), cols = a.dim(1);
  MatrixD e(cols, rows);  // E^T
  const float* x = a.data<float>();
  const float* y = b.data<float>();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) e(c, r) = static_cast<double>(x[r * cols + c]) - static_cast<double>(y[r * cols + c]);
  MatrixD g = MatrixD::Zero(cols, cols);
  g.selfadjointView<Eigen::Lower>().rankUpdate(e);
  double total = 0;
  for (int64_t j = 0; j < cols; ++j) {
    total += g(j, j) * h(j, j);
    for (int64_t i = j + 1; i < cols; ++i) total += 2 * g(i, j) * h(i, j);
  }
  return total;
}

}  // namespace

GptqResult gptq_quantize(const Tensor& w, const Tensor& h, const NumberFormat& fmt, const GptqOptions& opt) {
  const Mode mode = check_format(fmt);
  if (!w.defined() || w.dtype() != DType::f32 || w.rank() != 2 || w.numel() == 0)
    throw InvalidError(kWhere, "the weight must be a non-empty f32 matrix [rows, cols], got " +
                                   (w.defined() ? std::string(dtype_name(w.dtype())) + " " + shape_str(w.shape()) : "nothing"));
  const int64_t R = w.dim(0), C = w.dim(1);
  if (!h.defined() || (h.dtype() != DType::f32 && h.dtype() != DType::f64) || h.shape() != Shape{C, C})
    throw InvalidError(kWhere, format("the Hessian must be f32 or f64 [%lld, %lld] for a weight %s, got %s",
                                      static_cast<long long>(C), static_cast<long long>(C), shape_str(w.shape()).c_str(),
                                      h.defined() ? (std::string(dtype_name(h.dtype())) + " " + shape_str(h.shape())).c_str() : "nothing"));
  if (!(opt.damp >= 0) || !std::isfinite(opt.damp)) throw InvalidError(kWhere, format("damp %g must be finite and >= 0", opt.damp));
  if (opt.block < 1) throw InvalidError(kWhere, format("block %lld must be >= 1", static_cast<long long>(opt.block)));
  const float* w0 = w.data<float>();
  for (int64_t k = 0; k < R * C; ++k)
    if (!std::isfinite(w0[k])) throw InvalidError(kWhere, format("weight element %lld is not finite", static_cast<long long>(k)));

  // H in double, symmetrised (lower and upper triangles averaged).
  MatrixD h_given(C, C);
  for (int64_t i = 0; i < C; ++i)
    for (int64_t j = 0; j < C; ++j) {
      const double v = h.get_f64(i * C + j);
      if (!std::isfinite(v)) throw InvalidError(kWhere, "the Hessian has a non-finite entry");
      h_given(i, j) = v;
    }
  h_given = (0.5 * (h_given + h_given.transpose())).eval();

  // 1. Dead columns.
  MatrixD hw = h_given;
  Tensor wz = w.clone();
  float* wzp = wz.data<float>();
  for (int64_t j = 0; j < C; ++j)
    if (hw(j, j) == 0) {
      hw(j, j) = 1;
      for (int64_t r = 0; r < R; ++r) wzp[r * C + j] = 0.f;
    }

  // 2. Scale layout and the params known up front.
  const int64_t g = mode == Mode::PerGroup ? fmt.group_size : C;
  const int64_t groups = mode == Mode::PerGroup ? (C + g - 1) / g : 1;
  const int64_t prow = mode == Mode::PerTensor ? 1 : R;  // rows of the scale tensor
  GptqResult res;
  res.scale = Tensor(DType::f32, {prow, groups});
  res.zero_point = Tensor(DType::i32, {prow, groups});
  res.group_index = Tensor(DType::i32, {C});
  float* scale = res.scale.data<float>();
  int32_t* zero = res.zero_point.data<int32_t>();
  const bool dynamic_groups = mode == Mode::PerGroup && !opt.static_groups;
  if (!dynamic_groups) {
    const QuantParams p = params_from_data(wz, fmt);  // [] / [R] / [R, groups], all row-major like res.scale
    std::copy_n(p.scale.data<float>(), prow * groups, scale);
    std::copy_n(p.zero_point.data<int32_t>(), prow * groups, zero);
  }

  // 3. Processing order.
  std::vector<int64_t> perm(static_cast<size_t>(C));
  std::iota(perm.begin(), perm.end(), 0);
  if (opt.act_order)
    std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) { return hw(a, a) > hw(b, b); });
  int32_t* gidx = res.group_index.data<int32_t>();
  for (int64_t k = 0; k < C; ++k) {
    const int64_t j = perm[static_cast<size_t>(k)];
    gidx[j] = static_cast<int32_t>(mode != Mode::PerGroup ? 0 : dynamic_groups ? k / g : j / g);
  }

  // 4. Permuted, damped H; Hinv = H^-1; U = upper Cholesky factor of Hinv.
  MatrixD hp(C, C);
  for (int64_t a = 0; a < C; ++a)
    for (int64_t b = 0; b < C; ++b) hp(a, b) = hw(perm[static_cast<size_t>(a)], perm[static_cast<size_t>(b)]);
  const double lambda = opt.damp * hp.diagonal().mean();
  hp.diagonal().array() += lambda;
  Eigen::LLT<MatrixD> llt(hp);
  if (llt.info() != Eigen::Success)
    throw InvalidError(kWhere, format("the Hessian is not positive definite after damping %g (Cholesky failed); "
                                      "use more calibration data or a larger damp", opt.damp));
  const MatrixD hinv = llt.solve(MatrixD::Identity(C, C));
  Eigen::LLT<MatrixD> llt_inv(hinv);
  if (llt_inv.info() != Eigen::Success)
    throw InvalidError(kWhere, format("the inverse Hessian is not positive definite after damping %g (Cholesky failed); "
                                      "the Hessian is too ill-conditioned, use a larger damp", opt.damp));
  const RowMatrixD U = llt_inv.matrixU();

  // 5. Column loop on the permuted W (double).
  RowMatrixD W(R, C);
  for (int64_t r = 0; r < R; ++r)
    for (int64_t k = 0; k < C; ++k) W(r, k) = static_cast<double>(wzp[r * C + perm[static_cast<size_t>(k)]]);
  const int64_t B = std::min(opt.block, C);
  RowMatrixD W1(R, B), Err1(R, B);
  res.codes = Tensor(DType::i32, {R, C});
  res.weight = Tensor(DType::f32, {R, C});
  int32_t* codes = res.codes.data<int32_t>();
  float* qw = res.weight.data<float>();
  const double qlo = static_cast<double>(fmt.qmin()), qhi = static_cast<double>(fmt.qmax());
  Tensor lo(DType::f32, {R}), hi(DType::f32, {R});
  float* lop = lo.data<float>();
  float* hip = hi.data<float>();

  for (int64_t i1 = 0; i1 < C; i1 += B) {
    const int64_t i2 = std::min(i1 + B, C), count = i2 - i1;
    W1.leftCols(count) = W.middleCols(i1, count);
    for (int64_t i = 0; i < count; ++i) {
      const int64_t k = i1 + i, j = perm[static_cast<size_t>(k)];
      if (dynamic_groups && k % g == 0) {
        // 6. The group's min-max from W as it stands at the start of this block (ranges include 0).
        const int64_t end = std::min(k + g, C);
        for (int64_t r = 0; r < R; ++r) {
          float l = 0.f, u = 0.f;
          for (int64_t c = k; c < end; ++c) {
            const float v = static_cast<float>(W(r, c));
            l = std::min(l, v);
            u = std::max(u, v);
          }
          lop[r] = l;
          hip[r] = u;
        }
        const QuantParams p = choose_params(fmt, lo, hi);
        for (int64_t r = 0; r < R; ++r) {
          scale[r * groups + k / g] = p.scale.data<float>()[r];
          zero[r * groups + k / g] = p.zero_point.data<int32_t>()[r];
        }
      }
      const int64_t grp = gidx[j];
      const double d = U(k, k);
      for (int64_t r = 0; r < R; ++r) {
        const int64_t pi = (mode == Mode::PerTensor ? 0 : r) * groups + grp;
        const float s = scale[pi];
        const int32_t z = zero[pi];
        const float v = static_cast<float>(W1(r, i)) / s;  // as quantize(): f32 division, half-to-even
        const auto code = static_cast<int32_t>(std::clamp(std::nearbyint(static_cast<double>(v)) + z, qlo, qhi));
        const float q = static_cast<float>(code - z) * s;  // as dequantize()
        codes[r * C + j] = code;
        qw[r * C + j] = q;
        const double e = (W1(r, i) - static_cast<double>(q)) / d;
        Err1(r, i) = e;
        const int64_t rest = count - i - 1;
        if (rest > 0) W1.row(r).segment(i + 1, rest) -= e * U.row(k).segment(k + 1, rest);
      }
    }
    if (i2 < C) W.rightCols(C - i2).noalias() -= Err1.leftCols(count) * U.block(i1, i2, count, C - i2);
  }

  res.error_gptq = trace_error(w, res.weight, h_given);
  res.error_rtn = trace_error(w, fake_quantize(w, fmt), h_given);
  return res;
}

}  // namespace coda::quant
