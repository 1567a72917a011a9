// coda::exec::intops: integer layers as integer hardware runs them. Activations are uint8 or int8
// with a zero point, weights int8 (any values; int4 weights are int8 codes in [-8, 7] and use the same
// kernels) with zero points per tensor or per output channel, an optional int32 bias, int32
// accumulation (wrapping modulo 2^32), and requantisation to uint8 / int8 without floats
// (requant.h): a fixed-point multiplier and shift per tensor or per output channel, or a power-of-two
// shift. Products run on qgemm (every ISA gives the same bits, at any thread count):
//
//   acc[.., c] = sum (x - x_zp) * (w - w_zp[c]) + bias[c]          (int32, wrapping)
//   y[.., c]   = clamp(y_zp + multiply_by_quantized_multiplier(acc, M[c], e[c]), qmin, qmax)
//             or clamp(y_zp + shift_round(acc, s[c]), qmin, qmax)
//
//   using namespace coda::exec::intops;
//   Requant rq = Requant::fixed_point({x_scale * w_scale / y_scale}, /*zero_point=*/3, /*out_signed=*/false);
//   ConvParams p{.batch = 1, .in_channels = 16, .height = 32, .width = 32, .out_channels = 32,
//                .kernel_h = 3, .kernel_w = 3, .pad_top = 1, .pad_left = 1, .pad_bottom = 1, .pad_right = 1};
//   conv2d(p, {x, /*is_signed=*/false, x_zp}, {w, {0}}, bias, rq, y, &pool);   // y uint8 [1, 32, 32, 32]
//   PackedLinear fc(k, n, w_nk, /*trans_w=*/true, {0}, bias, rq);              // Gemm weights, packed once
//   fc.run(m, {x, false, x_zp}, y, &pool);                                      // y [m, n]
//
// Conv2d is a GEMM with the weights as A (so the output comes out NCHW): stride-1 layers pack B
// straight from shifted rows of the zero-point-padded input (no im2col buffer), others use im2col;
// depthwise layers (groups == in_channels, one input channel per group) use a direct loop instead.
#pragma once
#include <cstdint>
#include <vector>

#include "coda/core/thread_pool.h"
#include "coda/exec/conv_geometry.h"
#include "coda/exec/qgemm.h"

namespace coda::exec::intops {

using qgemm::Isa;

// Quantized activations: bytes read as uint8 or int8, with a per-tensor zero point in that type's
// range (InvalidError otherwise; weight zero points must lie in [-128, 127]).
struct QInput {
  const void* data = nullptr;
  bool is_signed = false;
  int32_t zero_point = 0;
};

// int8 weights with zero points: 1 value (per tensor) or one per output channel.
struct QWeights {
  const int8_t* data = nullptr;
  std::vector<int32_t> zero_point{0};
};

// The output stage: y = clamp(zero_point + rescale(acc), qmin, qmax) per output channel c.
struct Requant {
  // Fixed point when `multiplier` is non-empty (1 or channels values, with `shift` alike, TFLite's
  // convention: real scale = multiplier * 2^(shift - 31)); power of two otherwise (`shift` holds the
  // right shifts of shift_round).
  std::vector<int32_t> multiplier;
  std::vector<int> shift{0};
  int32_t zero_point = 0;
  bool out_signed = false;      // int8 output, else uint8
  int32_t qmin = 0, qmax = 255; // within the output type's range (narrower for a fused ReLU)

  // Per-tensor or per-channel real scales -> multipliers (requant::quantize_multiplier).
  static Requant fixed_point(const std::vector<double>& scales, int32_t zero_point, bool out_signed);
  // Scales 2^-shift.
  static Requant power_of_two(std::vector<int> right_shifts, int32_t zero_point, bool out_signed);

  int32_t apply(int32_t acc, int64_t channel) const;
  // Checks the sizes against `channels` and the clamp range against the output type (InvalidError).
  void validate(int64_t channels) const;
};

struct ConvParams {  // 2-D convolution, NCHW activations, OIHW weights
  int64_t batch = 1, in_channels = 0, height = 0, width = 0, out_channels = 0;
  int64_t kernel_h = 1, kernel_w = 1, groups = 1;
  int64_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t out_h() const { return (height + pad_top + pad_bottom - dilation_h * (kernel_h - 1) - 1) / stride_h + 1; }
  int64_t out_w() const { return (width + pad_left + pad_right - dilation_w * (kernel_w - 1) - 1) / stride_w + 1; }
};

// acc [batch, out_channels, out_h, out_w] = conv(x - x_zp, w - w_zp) + bias (bias may be null).
void conv2d_s32(const ConvParams& p, const QInput& x, const QWeights& w, const int32_t* bias, int32_t* acc,
                ThreadPool* pool = nullptr, Isa isa = qgemm::best_isa());
// The same requantised into y (uint8 or int8 as rq.out_signed says).
void conv2d(const ConvParams& p, const QInput& x, const QWeights& w, const int32_t* bias, const Requant& rq, void* y,
            ThreadPool* pool = nullptr, Isa isa = qgemm::best_isa());

// MatMul / Gemm with weights w [k,n] (or [n,k] when trans_w), zero points per tensor or per column
// (output channel), bias per column.
void matmul_s32(int64_t m, int64_t n, int64_t k, const QInput& x, const QWeights& w, bool trans_w, const int32_t* bias,
                int32_t* acc, ThreadPool* pool = nullptr, Isa isa = qgemm::best_isa());
void matmul(int64_t m, int64_t n, int64_t k, const QInput& x, const QWeights& w, bool trans_w, const int32_t* bias,
            const Requant& rq, void* y, ThreadPool* pool = nullptr, Isa isa = qgemm::best_isa());

// A MatMul / Gemm layer whose weights are packed once and reused for any number of rows.
class PackedLinear {
 public:
  PackedLinear(int64_t k, int64_t n, const int8_t* w, bool trans_w, std::vector<int32_t> w_zero_point,
               const int32_t* bias, Requant rq, Isa isa = qgemm::best_isa());
  int64_t k() const { return packed_.k(); }
  int64_t n() const { return packed_.n(); }
  void run_s32(int64_t m, const QInput& x, int32_t* acc, ThreadPool* pool = nullptr) const;
  void run(int64_t m, const QInput& x, void* y, ThreadPool* pool = nullptr) const;

 private:
  qgemm::PackedB packed_;
  std::vector<int32_t> w_zp_, bias_;
  Requant rq_;
};

// y[i] = rq.apply(acc[i], channel of i), the channel being (i / inner) % channels; y uint8 or int8.
void requantize(const int32_t* acc, int64_t count, int64_t inner, int64_t channels, const Requant& rq, void* y);

// ---- The pieces the ONNX kernels (quant_conv.cpp, quant_matmul.cpp) share ----

// C[m,n] (row stride ldc) = sum_k (A[i][k] - a_zp[i]) * (B[k][j] - b_zp[j]) in int32 (wrapping), B
// packed; a_zp has 1 or m values, b_zp 1 or n (null means 0).
void gemm_zp(int64_t m, const void* a, bool a_signed, int64_t lda, const int32_t* a_zp, int64_t a_zp_count,
             const qgemm::PackedB& b, const int32_t* b_zp, int64_t b_zp_count, int32_t* c, int64_t ldc,
             ThreadPool* pool);

// acc [N, M, P] = conv(x - x_zp, w - w_zp[m]) over ConvShape's 1-, 2- or 3-D window; x and w
// uint8 or int8 in any mix; w_zp has 1 or M values.
void conv_acc(const kern::ConvShape& s, const void* x, bool x_signed, int32_t x_zp, const void* w, bool w_signed,
              const int32_t* w_zp, int64_t w_zp_count, int32_t* acc, ThreadPool* pool, Isa isa);

}  // namespace coda::exec::intops
