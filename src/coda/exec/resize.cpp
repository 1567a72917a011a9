// Resize with mode "nearest" (every coordinate_transformation_mode and nearest_mode; scales or
// sizes; opset 10's two-input form). Other modes raise UnsupportedError. Coordinates are computed
// in float, as ONNX Runtime does.
#include <cmath>
#include <cstring>
#include <vector>

#include "coda/exec/kernel_list.h"

namespace coda::exec::kern {

namespace {

struct Mapping {
  std::string transform, rounding;
  float extrapolation = 0.f;
};

// The source index for output index o along one axis, or -1 for the extrapolation value.
int64_t nearest_source(const Node& n, const Mapping& m, int64_t o, float scale, int64_t in_len, int64_t out_len,
                       float roi_start, float roi_end) {
  const float x = static_cast<float>(o);
  float src;
  const std::string& t = m.transform;
  if (t == "half_pixel") src = (x + 0.5f) / scale - 0.5f;
  else if (t == "pytorch_half_pixel") src = out_len > 1 ? (x + 0.5f) / scale - 0.5f : 0.f;
  else if (t == "align_corners") src = out_len == 1 ? 0.f : x * static_cast<float>(in_len - 1) / static_cast<float>(out_len - 1);
  else if (t == "asymmetric") src = x / scale;
  else if (t == "tf_half_pixel_for_nn") src = (x + 0.5f) / scale;
  else if (t == "tf_crop_and_resize") {
    const float len = static_cast<float>(in_len - 1);
    src = out_len > 1 ? roi_start * len + x * (roi_end - roi_start) * len / static_cast<float>(out_len - 1)
                      : 0.5f * (roi_start + roi_end) * len;
    if (src < 0.f || src > len) return -1;
  } else {
    unsupported(n, "Resize coordinate_transformation_mode '%s' is not supported", t.c_str());
  }
  float r;
  const std::string& k = m.rounding;
  if (k == "round_prefer_floor") r = (src == std::floor(src) + 0.5f) ? std::floor(src) : std::round(src);
  else if (k == "round_prefer_ceil") r = std::round(src);
  else if (k == "floor") r = std::floor(src);
  else if (k == "ceil") r = std::ceil(src);
  else if (k == "simple") r = scale < 1.f ? std::ceil(src) : std::floor(src);  // opset 10
  else unsupported(n, "Resize nearest_mode '%s' is not supported", k.c_str());
  if (!(r >= 0.f)) return 0;  // also NaN
  if (r >= static_cast<float>(in_len - 1)) return in_len - 1;
  return static_cast<int64_t>(r);
}

}  // namespace

Outputs op_Resize(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  const int64_t r = x.rank();
  std::string mode = n.s("mode", "nearest");
  if (mode != "nearest") unsupported(n, "Resize mode '%s' is not supported (only 'nearest')", mode.c_str());
  if (n.has("axes")) unsupported(n, "Resize attribute 'axes' (opset 18) is not supported");
  if (n.s("keep_aspect_ratio_policy", "stretch") != "stretch")
    unsupported(n, "Resize keep_aspect_ratio_policy other than 'stretch' is not supported");
  const bool legacy = opset(n) < 11 && in.size() <= 2;
  Mapping m;
  m.transform = legacy ? "asymmetric" : n.s("coordinate_transformation_mode", "half_pixel");
  m.rounding = legacy ? "simple" : n.s("nearest_mode", "round_prefer_floor");
  m.extrapolation = n.f("extrapolation_value", 0.f);
  const Tensor* roi = legacy ? nullptr : optional_input(in, 1);
  const Tensor* scales_t = optional_input(in, legacy ? 1 : 2);
  const Tensor* sizes_t = legacy ? nullptr : optional_input(in, 3);
  if (scales_t && scales_t->numel() == 0) scales_t = nullptr;
  if (sizes_t && sizes_t->numel() == 0) sizes_t = nullptr;
  if (!scales_t == !sizes_t) invalid(n, "exactly one of scales and sizes must be given");
  std::vector<float> scales(static_cast<size_t>(r));
  Shape out(static_cast<size_t>(r));
  if (scales_t) {
    require_dtype(n, *scales_t, {DType::f32}, "scales");
    if (scales_t->numel() != r) invalid(n, "scales has %lld values for a rank-%lld input", (long long)scales_t->numel(), (long long)r);
    for (int64_t i = 0; i < r; ++i) {
      scales[i] = scales_t->data<float>()[i];
      if (!(scales[i] > 0.f) || !std::isfinite(scales[i])) invalid(n, "scales must be positive");
      double o = std::floor(static_cast<double>(x.dim(i)) * static_cast<double>(scales[i]));
      if (o > static_cast<double>(kMaxTensorBytes)) invalid(n, "output is too large");
      out[i] = static_cast<int64_t>(o);
    }
  } else {
    std::vector<int64_t> sizes = int_values(n, *sizes_t, "sizes");
    if (static_cast<int64_t>(sizes.size()) != r) invalid(n, "sizes has %zu values for a rank-%lld input", sizes.size(), (long long)r);
    for (int64_t i = 0; i < r; ++i) {
      if (sizes[i] < 0) invalid(n, "sizes must be >= 0");
      out[i] = sizes[i];
      scales[i] = x.dim(i) ? static_cast<float>(sizes[i]) / static_cast<float>(x.dim(i)) : 1.f;
    }
  }
  std::vector<float> roi_v;
  if (m.transform == "tf_crop_and_resize") {
    if (!roi || roi->numel() != 2 * r) invalid(n, "tf_crop_and_resize needs an roi of %lld values", (long long)(2 * r));
    roi_v = roi->to_f32_vector();
  }
  Tensor y = make_uninit_output(n, x.dtype(), out);
  if (y.numel() == 0) return {y};
  for (int64_t i = 0; i < r; ++i)
    if (x.dim(i) == 0) invalid(n, "cannot resize an empty dimension to %lld", (long long)out[i]);
  // Per axis, the source index of each output index.
  std::vector<std::vector<int64_t>> src(static_cast<size_t>(r));
  for (int64_t i = 0; i < r; ++i) {
    src[i].resize(static_cast<size_t>(out[i]));
    for (int64_t o = 0; o < out[i]; ++o)
      src[i][o] = nearest_source(n, m, o, scales[i], x.dim(i), out[i], roi_v.empty() ? 0.f : roi_v[i],
                                 roi_v.empty() ? 1.f : roi_v[i + r]);
  }
  const size_t es = dtype_size(x.dtype());
  Tensor fill_t = Tensor::scalar<double>(m.extrapolation).cast(x.dtype());
  const Shape st = shape_strides(x.shape());
  const int64_t inner = r ? out[r - 1] : 1, rows = y.numel() / inner;
  const auto* s = static_cast<const std::byte*>(x.raw());
  auto* d = static_cast<std::byte*>(y.raw());
  const auto* fill = static_cast<const std::byte*>(fill_t.raw());
  parallel_for(ctx, rows, grain_for(rows, inner), [&](int64_t lo, int64_t hi) {
    for (int64_t row = lo; row < hi; ++row) {
      int64_t off = 0, idx = row;
      bool outside = false;
      for (int64_t i = r - 2; i >= 0; --i) {
        int64_t k = src[i][idx % out[i]];
        idx /= out[i];
        if (k < 0) outside = true;
        else off += k * st[i];
      }
      std::byte* o = d + row * inner * es;
      for (int64_t j = 0; j < inner; ++j) {
        int64_t k = r ? src[r - 1][j] : 0;
        std::memcpy(o + j * es, (outside || k < 0) ? fill : s + (off + k) * es, es);
      }
    }
  });
  return {y};
}

}  // namespace coda::exec::kern
