// The problem shapes coda extracts: convolution (Timeloop's CNN-Layer, plus a G rank for grouped
// and depthwise convs), direct transposed convolution, and (batched) matrix multiplication.
//
// Conv follows Timeloop's cnn_layer.yaml: P/Q are output width/height, R/S filter width/height,
// K/C output/input channels per group, Inputs column = Wstride*P + Wdilation*R. Padding is not part
// of the shape (the Inputs extent is the padded window actually read).
//
//   Problem c = conv_problem({.N = 1, .K = 64, .C = 64, .P = 56, .Q = 56, .R = 3, .S = 3});
//   Problem g = gemm_problem({.M = 128, .N = 3072, .K = 768});
//   Problem a = gemm_problem({.B = 12, .M = 128, .N = 128, .K = 64, .inputs_batched = true,
//                             .weights_batched = true});   // attention QKᵀ
#pragma once
#include <cstdint>

#include "coda/workload/problem.h"

namespace coda::workload {

// Bits per element of each data space as stored.
struct Precision {
  int weights = 32, inputs = 32, outputs = 32;
};

struct ConvShape {
  int64_t N = 1, G = 1;  // batch, groups
  int64_t K = 1, C = 1;  // output and input channels per group
  int64_t P = 1, Q = 1;  // output width, height (for conv_transpose_problem: input width, height)
  int64_t R = 1, S = 1;  // filter width, height
  int64_t Wstride = 1, Hstride = 1, Wdilation = 1, Hdilation = 1;
};

// "CNN-Layer" (G > 1: "Grouped-CNN-Layer", with a G rank first in every data space after N).
// MACs = N*G*K*C*P*Q*R*S.
Problem conv_problem(const ConvShape& s, Precision bits = {});

// "ConvTranspose-Layer", the direct (scatter) form: P/Q walk the input, each input pixel scatters a
// kernel into Outputs column Wstride*P + Wdilation*R. Weights ranks follow ONNX: [G][C][K][R][S].
// MACs = N*Cin*H*W*Cout/G*kh*kw. The Outputs extent is the uncropped output (before pads).
Problem conv_transpose_problem(const ConvShape& s, Precision bits = {});

struct GemmShape {
  int64_t B = 1;  // batch (e.g. heads x batch in attention)
  int64_t M = 1, N = 1, K = 1;
  bool inputs_batched = false;   // Inputs [B][M][K] rather than [M][K]
  bool weights_batched = false;  // Weights [B][K][N] rather than [K][N]
};

// "GEMM" ([M, N, K]; Outputs[M][N] += Inputs[M][K] * Weights[K][N]) or, with B > 1,
// "Batched-GEMM" with a B dim projected onto the batched data spaces and Outputs.
Problem gemm_problem(const GemmShape& s, Precision bits = {});

}  // namespace coda::workload
