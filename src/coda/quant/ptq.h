// Post-training quantization of a whole graph: RTN, SmoothQuant, GPTQ and ESCA (specs/papers.md §1).
//
// The layers are the graph's Conv, Gemm and MatMul nodes whose weight (input 1) is a constant, plus
// MatMuls of two activations ("bmm", activations only). ConvTranspose layers are first rewritten to
// their exact sub-pixel Conv (graph/subpixel.h), so every method sees the same Conv. Layers are
// quantized one at a time in topological order; each layer's calibration inputs are captured by
// running the graph with every earlier layer already quantized (GPTQ's sequential scheme).
//
// Per layer, by method:
//   rtn          weights: round to nearest with min-max scales in the weight format.
//   smoothquant  per-input-channel s = max|X_c|^α / max|W_c|^(1-α) (α = 0.5), W <- W·s, X <- X/s
//                (a Div node before the layer); then RTN.
//   gptq         weights by GPTQ (quant/gptq.h) on H = 2/N·XᵀX of the layer's calibration input.
//   esca         on convolutions: ICAS smoothing (α = 0.8) with statistics of X ⊙ M, M the importance
//                map brought to the layer's resolution by max pooling; FFAS: the `ffas_percent`%
//                highest-variance channels are not smoothed; GPTQ on the Hessian of X ⊙ M. On Gemm /
//                MatMul layers (which ESCA leaves out of PTQ) GPTQ without smoothing. Activations
//                default to ESCA's dynamic per-row asymmetric quantizer (clip ratio 0.9).
// Activations: static per tensor (ranges from a calibration observer; QuantizeLinear [-> Clip] ->
// DequantizeLinear before the layer), or dynamic per row of the last axis (a subgraph of float ops
// equal to quant::quantize_dynamic_per_row). Weights: DequantizeLinear of integer codes where the
// format allows (INT per tensor / channel), Cast·Sub·Mul per group, otherwise fake-quantized floats.
// The result is a plain ONNX-exportable graph (opset >= 13) that ONNX Runtime runs.
//
//   PtqOptions o;  o.method = PtqMethod::Gptq;  o.weights = parse_format("int4/g32");
//   Calibration c = calibration_inputs(g, {}, 512);
//   PtqResult r = quantize_model(g, c, o);      // r.graph: QDQ graph; r.layers: what was done
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "coda/graph/graph.h"
#include "coda/quant/evaluate.h"
#include "coda/quant/gptq.h"
#include "coda/quant/number_format.h"

namespace coda::quant {

enum class PtqMethod { Rtn, SmoothQuant, Gptq, Esca };
PtqMethod parse_method(const std::string& name);  // InvalidError naming the choices
const char* method_name(PtqMethod m);

// How activations entering a layer are quantized.
enum class ActMode { Static, Dynamic };

// One layer's setting; a plan overrides the defaults per layer.
struct LayerSetting {
  bool skip = false;                  // keep the layer in float
  std::optional<NumberFormat> weights;  // unset: the default
  std::optional<NumberFormat> acts;     // unset: the default
  bool float_acts = false;            // weight-only for this layer
  std::optional<PtqMethod> method;
};

struct PtqOptions {
  PtqMethod method = PtqMethod::Rtn;
  NumberFormat weights = NumberFormat::int_format(8).per_channel();
  std::optional<NumberFormat> acts = NumberFormat::int_format(8);  // nullopt: weight-only
  std::optional<ActMode> act_mode;  // unset: Dynamic for esca, Static otherwise
  float clip_ratio = 0.9f;          // dynamic activations
  std::string observer = "minmax";  // static activations: minmax | percentile | mse | kl
  double alpha = -1;                // smoothing strength; < 0: 0.5 (smoothquant), 0.8 (esca)
  double ffas_percent = 10;         // esca: % of input channels (highest variance) left unsmoothed
  GptqOptions gptq;
  bool quantize_bmm = true;         // quantize both inputs of activation x activation MatMuls
  // INT8 integer layers: where weights are symmetric INT (<= 8 bits) per tensor or channel and
  // activations static 8-bit, the layer becomes QLinearConv / QLinearMatMul with a calibrated output
  // scale (then DequantizeLinear, and a Gemm's bias in float): integer arithmetic end to end, as
  // ONNX Runtime's QOperator format. Other layers stay QDQ.
  bool qlinear = false;
  Tensor importance;                // esca: f32 [H, W] importance map (empty: all ones)
  bool esca_smooth = true;          // esca ablation: false skips ICAS/FFAS (importance-weighted GPTQ only)
  std::map<std::string, LayerSetting> layers;  // by node name (a ConvTranspose's name reaches its sub-pixel Conv)
  int threads = 0;
  // Keep the calibration activations of earlier layers and run only the nodes after them for the next
  // layer's (bit-identical). false: rerun the model's prefix for every layer (less memory, O(layers^2)).
  bool reuse_activations = true;
  // Called before each layer with (layer name, index, count); may be empty.
  std::function<void(const std::string&, int, int)> progress;
};

struct LayerReport {
  std::string name, op;
  std::string weights = "fp32", acts = "fp32", method;
  int64_t smoothed_channels = 0, exempt_channels = 0;  // channels with s != 1 / FFAS exemptions
  bool qlinear = false;  // written as QLinearConv / QLinearMatMul
  double error_rtn = -1, error_gptq = -1;  // tr((W-Q) H (W-Q)^T) where a Hessian was built (< 0: none)
};

struct PtqResult {
  graph::Graph graph;
  std::vector<LayerReport> layers;
};

// The names of g's quantizable layers in topological order (after the sub-pixel rewrite).
std::vector<std::string> quantizable_layers(const graph::Graph& g);

// InvalidError for a plan naming a layer g does not have, a format the method cannot use (GPTQ needs
// INT weights; static activations need INT of 2..8 bits), calibration batches that do not match
// g's inputs.
PtqResult quantize_model(const graph::Graph& g, const Calibration& calib, const PtqOptions& o);

// ESCA's importance map for a Fashion-MNIST stand-in of the codec-avatar face ROI (specs/papers.md §1 (d)):
// the per-pixel non-zero frequency of `images` [N,1,H,W] (the "UV visibility"), max-normalised,
// times a centre-weighted Gaussian (sigma = H/4) standing in for the face-importance image, max-normalised.
Tensor esca_importance_map(const Tensor& images);

}  // namespace coda::quant
