// ModelBuilder's layers with weights: conv, conv_transpose, batch_norm, gemm, linear, layer_norm.
#include <algorithm>
#include <cmath>

#include "coda/zoo/builder.h"

namespace coda::zoo {

using graph::OpKind;

namespace {

// Standard deviation of a weight: gain / sqrt(fan_in) (He for gain sqrt(2)); a bias is U(±1/sqrt(fan_in)).
float weight_std(float gain, int64_t fan_in) { return gain / std::sqrt(static_cast<float>(fan_in)); }
float bias_bound(int64_t fan_in) { return 1.0f / std::sqrt(static_cast<float>(fan_in)); }

}  // namespace

ValueId ModelBuilder::conv(ValueId x, const std::string& local, int64_t cout, int64_t kernel, int64_t stride,
                           int64_t pad, int64_t groups, bool bias, float gain) {
  const Shape& in = shape(x);
  int64_t cin = in.at(1);
  CODA_CHECK(cin % groups == 0 && cout % groups == 0, "conv %s: groups %lld", local.c_str(),
             static_cast<long long>(groups));
  int64_t fan_in = cin / groups * kernel * kernel;
  std::vector<ValueId> inputs{
      x, uniform_std(local + ".weight", {cout, cin / groups, kernel, kernel}, weight_std(gain, fan_in))};
  if (bias) inputs.push_back(uniform(local + ".bias", {cout}, -bias_bound(fan_in), bias_bound(fan_in)));
  Shape out{in[0], cout};
  for (size_t i = 2; i < in.size(); ++i) out.push_back((in[i] + 2 * pad - kernel) / stride + 1);
  return emit(OpKind::Conv, local, std::move(inputs), DType::f32, out,
              {{"kernel_shape", std::vector<int64_t>{kernel, kernel}},
               {"strides", std::vector<int64_t>{stride, stride}},
               {"pads", std::vector<int64_t>{pad, pad, pad, pad}},
               {"dilations", std::vector<int64_t>{1, 1}},
               {"group", groups}});
}

ValueId ModelBuilder::conv_transpose(ValueId x, const std::string& local, int64_t cout, int64_t kernel,
                                     int64_t stride, int64_t pad, bool bias) {
  const Shape& in = shape(x);
  int64_t cin = in.at(1);
  // Each output sees about cin * (kernel / stride)^2 inputs.
  int64_t fan_in = std::max<int64_t>(1, cin * kernel * kernel / (stride * stride));
  std::vector<ValueId> inputs{
      x, uniform_std(local + ".weight", {cin, cout, kernel, kernel}, weight_std(1.41421356f, fan_in))};
  if (bias) inputs.push_back(uniform(local + ".bias", {cout}, -bias_bound(fan_in), bias_bound(fan_in)));
  Shape out{in[0], cout};
  for (size_t i = 2; i < in.size(); ++i) out.push_back((in[i] - 1) * stride - 2 * pad + kernel);
  return emit(OpKind::ConvTranspose, local, std::move(inputs), DType::f32, out,
              {{"kernel_shape", std::vector<int64_t>{kernel, kernel}},
               {"strides", std::vector<int64_t>{stride, stride}},
               {"pads", std::vector<int64_t>{pad, pad, pad, pad}}});
}

ValueId ModelBuilder::batch_norm(ValueId x, const std::string& local, float gamma) {
  int64_t c = shape(x).at(1);
  std::vector<ValueId> inputs{x,
                              uniform(local + ".weight", {c}, 0.9f * gamma, 1.1f * gamma),
                              uniform(local + ".bias", {c}, -0.1f, 0.1f),
                              uniform(local + ".running_mean", {c}, -0.1f, 0.1f),
                              uniform(local + ".running_var", {c}, 1.5f, 2.5f)};
  return emit(OpKind::BatchNormalization, local, std::move(inputs), DType::f32, shape(x),
              {{"epsilon", 1e-5f}, {"momentum", 0.9f}});
}

ValueId ModelBuilder::gemm(ValueId x, const std::string& local, int64_t out, bool bias, float gain) {
  const Shape& in = shape(x);
  CODA_CHECK(in.size() == 2, "gemm %s on rank %zu", local.c_str(), in.size());
  std::vector<ValueId> inputs{x, uniform_std(local + ".weight", {out, in[1]}, weight_std(gain, in[1]))};
  if (bias) inputs.push_back(uniform(local + ".bias", {out}, -bias_bound(in[1]), bias_bound(in[1])));
  return emit(OpKind::Gemm, local, std::move(inputs), DType::f32, {in[0], out},
              {{"alpha", 1.0f}, {"beta", 1.0f}, {"transB", int64_t{1}}});
}

ValueId ModelBuilder::gemm_tied(ValueId x, ValueId weight, const std::string& local) {
  CODA_CHECK(shape(x).size() == 2 && shape(x)[1] == shape(weight).at(1), "gemm_tied %s", local.c_str());
  return emit(OpKind::Gemm, local, {x, weight}, DType::f32, {shape(x)[0], shape(weight)[0]},
              {{"alpha", 1.0f}, {"beta", 1.0f}, {"transB", int64_t{1}}});
}

ValueId ModelBuilder::linear(ValueId x, const std::string& local, int64_t out, float gain) {
  int64_t in = dim(x, -1);
  ValueId w = uniform_std(local + ".weight", {in, out}, weight_std(gain, in));
  ValueId b = uniform(local + ".bias", {out}, -bias_bound(in), bias_bound(in));
  Shape s = shape(x);
  s.back() = out;
  ValueId y = emit(OpKind::MatMul, local, {x, w}, DType::f32, s);
  return emit(OpKind::Add, local + ".bias_add", {y, b}, DType::f32, s);
}

ValueId ModelBuilder::layer_norm(ValueId x, const std::string& local, float epsilon) {
  int64_t c = dim(x, -1);
  ValueId scale = uniform(local + ".weight", {c}, 0.9f, 1.1f);
  ValueId bias = uniform(local + ".bias", {c}, -0.1f, 0.1f);
  return emit(OpKind::LayerNormalization, local, {x, scale, bias}, DType::f32, shape(x),
              {{"axis", int64_t{-1}}, {"epsilon", epsilon}});
}

}  // namespace coda::zoo
