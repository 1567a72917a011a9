#include "coda/quant/smx.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "coda/quant/block_scale.h"

namespace coda::quant {

namespace {

void check_matrix(const Tensor& x) {
  if (x.rank() != 2)
    throw InvalidError("smx quantize", "SMX blocks a 2-D matrix; got shape " + shape_str(x.shape()));
}
int64_t block_of(int64_t k, int64_t cols, int64_t bcols) { return (k / cols / 4) * bcols + (k % cols) / 4; }

}  // namespace

QuantParams smx_params(const Tensor& x, const NumberFormat& f) {
  CODA_CHECK(f.kind == FormatKind::Smx, "smx_params on a non-SMX format");
  check_matrix(x);
  const int64_t rows = x.dim(0), cols = x.dim(1), brows = (rows + 3) / 4, bcols = (cols + 3) / 4;
  std::vector<float> amax(static_cast<size_t>(brows * bcols), 0.f);
  const float* xs = x.data<float>();
  for (int64_t k = 0; k < x.numel(); ++k) {
    float& m = amax[static_cast<size_t>(block_of(k, cols, bcols))];
    const float v = std::fabs(xs[k]);
    if (std::isnan(v) || v > m) m = v;
  }
  QuantParams p{Tensor(DType::f32, {brows, bcols}), Tensor(DType::i32, {brows, bcols})};
  const int emax = f.bits - 2;  // floor(log2(2^(b-1) - 1))
  for (size_t g = 0; g < amax.size(); ++g) p.scale.data<float>()[g] = shared_block_scale(amax[g], emax);
  return p;
}

Tensor smx_quantize(const Tensor& x, const NumberFormat& f, const QuantParams& p) {
  check_matrix(x);
  const int64_t cols = x.dim(1), bcols = (cols + 3) / 4;
  const double qmax = static_cast<double>(f.qmax());
  Tensor codes(DType::i32, x.shape());
  const float* xs = x.data<float>();
  const float* s = p.scale.data<float>();
  int32_t* c = codes.data<int32_t>();
  for (int64_t k = 0; k < x.numel(); ++k) {
    const double X = s[block_of(k, cols, bcols)];
    if (std::isnan(X)) continue;
    c[k] = static_cast<int32_t>(std::clamp(std::nearbyint(xs[k] / X), -qmax, qmax));
  }
  return codes;
}

Tensor smx_dequantize(const Tensor& codes, const NumberFormat&, const QuantParams& p) {
  check_matrix(codes);
  const int64_t cols = codes.dim(1), bcols = (cols + 3) / 4;
  Tensor out(DType::f32, codes.shape());
  const int32_t* c = codes.data<int32_t>();
  const float* s = p.scale.data<float>();
  for (int64_t k = 0; k < codes.numel(); ++k)
    out.data<float>()[k] = static_cast<float>(c[k] * static_cast<double>(s[block_of(k, cols, bcols)]));
  return out;
}

}  // namespace coda::quant
