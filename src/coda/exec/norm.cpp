// BatchNormalization (inference, and training_mode's batch statistics) and LayerNormalization
// (any axis, with the Mean and InvStdDev outputs).
#include <cmath>
#include <vector>

#include "coda/exec/broadcast.h"
#include "coda/exec/elementwise.h"
#include "coda/exec/kernel_list.h"
#include "coda/exec/lane_sum.h"

namespace coda::exec::kern {

namespace {

void require_channel_vector(const Node& n, const Tensor& t, DType dtype, int64_t c, const char* what) {
  if (t.dtype() != dtype) invalid(n, "%s is %s, expected %s", what, dtype_name(t.dtype()), dtype_name(dtype));
  if (t.rank() != 1 || t.dim(0) != c)
    invalid(n, "%s must be a vector of %lld, got %s", what, (long long)c, shape_str(t.shape()).c_str());
}

}  // namespace

Outputs op_BatchNormalization(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  if (x.rank() < 2) invalid(n, "input must have rank >= 2 (N, C, ...), got %s", shape_str(x.shape()).c_str());
  const int64_t c = x.dim(1), batch = x.dim(0), inner = shape_numel(Shape(x.shape().begin() + 2, x.shape().end()));
  const char* names[] = {"scale", "B", "input_mean", "input_var"};
  for (size_t k = 1; k <= 4; ++k) require_channel_vector(n, input(n, in, k), x.dtype(), c, names[k - 1]);
  const bool training = n.i("training_mode", 0) != 0;
  const double eps = n.f("epsilon", 1e-5f);
  const double momentum = n.f("momentum", 0.9f);
  Tensor y = make_uninit_output(n, x.dtype(), x.shape());
  Tensor run_mean, run_var;
  visit_float(n, x.dtype(), "input", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = x.data<T>();
    const T *scale = in[1].data<T>(), *bias = in[2].data<T>(), *mean = in[3].data<T>(), *var = in[4].data<T>();
    std::vector<double> mu(static_cast<size_t>(c)), sigma2(static_cast<size_t>(c));
    for (int64_t ch = 0; ch < c; ++ch) {
      mu[ch] = static_cast<double>(mean[ch]);
      sigma2[ch] = static_cast<double>(var[ch]);
    }
    if (training) {  // batch statistics (population variance)
      const double count = static_cast<double>(batch * inner);
      for (int64_t ch = 0; ch < c; ++ch) {
        double s = 0, s2 = 0;
        for (int64_t b = 0; b < batch; ++b)
          for (int64_t i = 0; i < inner; ++i) s += static_cast<double>(px[(b * c + ch) * inner + i]);
        double m = count > 0 ? s / count : 0;
        for (int64_t b = 0; b < batch; ++b)
          for (int64_t i = 0; i < inner; ++i) {
            double d = static_cast<double>(px[(b * c + ch) * inner + i]) - m;
            s2 += d * d;
          }
        mu[ch] = m;
        sigma2[ch] = count > 0 ? s2 / count : 0;
      }
      run_mean = make_uninit_output(n, x.dtype(), {c});
      run_var = make_uninit_output(n, x.dtype(), {c});
      for (int64_t ch = 0; ch < c; ++ch) {
        run_mean.data<T>()[ch] = static_cast<T>(static_cast<double>(mean[ch]) * momentum + mu[ch] * (1 - momentum));
        run_var.data<T>()[ch] = static_cast<T>(static_cast<double>(var[ch]) * momentum + sigma2[ch] * (1 - momentum));
      }
    }
    T* py = y.data<T>();
    const int64_t planes = batch * c;
    parallel_for(ctx, planes, grain_for(planes, inner), [&](int64_t lo, int64_t hi) {
      for (int64_t t = lo; t < hi; ++t) {
        const int64_t ch = t % c;
        const double inv = 1.0 / std::sqrt(sigma2[ch] + eps);
        const double m = mu[ch], s = static_cast<double>(scale[ch]), b = static_cast<double>(bias[ch]);
        const T* p = px + t * inner;
        T* q = py + t * inner;
        for (int64_t i = 0; i < inner; ++i) q[i] = static_cast<T>((static_cast<double>(p[i]) - m) * inv * s + b);
      }
    });
  });
  if (training) return {y, run_mean, run_var};
  return {y};
}

Outputs op_LayerNormalization(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  const Tensor& scale = input(n, in, 1);
  const Tensor* bias = optional_input(in, 2);
  if (x.rank() == 0) invalid(n, "input must have rank >= 1");
  const int64_t axis = normalize_axis(n, n.i("axis", -1), x.rank());
  const double eps = n.f("epsilon", 1e-5f);
  Shape norm(x.shape().begin() + axis, x.shape().end());
  const int64_t cols = shape_numel(norm), rows = cols ? x.numel() / cols : shape_numel(Shape(x.shape().begin(), x.shape().begin() + axis));
  // Scale and bias broadcast (unidirectionally) to the normalised dims.
  auto expand = [&](const Tensor& t, const char* what) {
    if (t.dtype() != x.dtype()) invalid(n, "%s is %s, input is %s", what, dtype_name(t.dtype()), dtype_name(x.dtype()));
    if (broadcast_shape(n, {&t.shape(), &norm}) != norm)
      invalid(n, "%s %s does not broadcast to %s", what, shape_str(t.shape()).c_str(), shape_str(norm).c_str());
    Tensor full = make_uninit_output(n, x.dtype(), norm);
    broadcast_copy(n, t, full, ctx);
    return full;
  };
  Tensor s = expand(scale, "Scale");
  Tensor b = bias ? expand(*bias, "B") : Tensor();
  Tensor y = make_uninit_output(n, x.dtype(), x.shape());
  Shape stat_shape(x.shape().begin(), x.shape().begin() + axis);
  stat_shape.resize(static_cast<size_t>(x.rank()), 1);
  Tensor mean_out = make_uninit_output(n, x.dtype(), stat_shape), inv_out = make_uninit_output(n, x.dtype(), stat_shape);
  visit_float(n, x.dtype(), "input", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T *px = x.data<T>(), *ps = s.data<T>(), *pb = bias ? b.data<T>() : nullptr;
    T *py = y.data<T>(), *pm = mean_out.data<T>(), *pv = inv_out.data<T>();
    parallel_for(ctx, rows, grain_for(rows, cols), [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; ++r) {
        const T* p = px + r * cols;
        double mean = 0, sq = 0;
        if constexpr (std::is_same_v<T, float>) {
          mean = cols ? lane_sum(p, cols) / static_cast<double>(cols) : 0;
          sq = lane_sq_dev(p, cols, mean);
        } else {
          for (int64_t i = 0; i < cols; ++i) mean += p[i];
          mean = cols ? mean / static_cast<double>(cols) : 0;
          for (int64_t i = 0; i < cols; ++i) sq += (p[i] - mean) * (p[i] - mean);
        }
        const double inv = 1.0 / std::sqrt((cols ? sq / static_cast<double>(cols) : 0) + eps);
        T* q = py + r * cols;
        // (x - mean) * inv * scale (+ B) in T: float rows stay 4 / 8 / 16 wide
        const T mt = static_cast<T>(mean), it = static_cast<T>(inv);
        if (pb) {
          for (int64_t i = 0; i < cols; ++i) q[i] = (p[i] - mt) * it * ps[i] + pb[i];
        } else {
          for (int64_t i = 0; i < cols; ++i) q[i] = (p[i] - mt) * it * ps[i];
        }
        pm[r] = static_cast<T>(mean);
        pv[r] = static_cast<T>(inv);
      }
    });
  });
  return {y, mean_out, inv_out};
}

}  // namespace coda::exec::kern
