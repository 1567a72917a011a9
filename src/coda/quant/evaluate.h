// Measuring a model's quality on its dataset, and the calibration inputs PTQ needs.
//
// A model's task comes from its metadata (coda.task, coda.dataset): classification on Fashion-MNIST
// (top-1), reconstruction on Fashion-MNIST (a decoder fed by an encoder's latents; PSNR in dB against
// the image) or node classification on the digits graph (top-1 over the test nodes).
//
//   EvalOptions o{.dataset = "fashion-mnist", .limit = 1000};
//   Evaluation e = evaluate(graph, o);                 // e.metric == "top1", e.value == 0.91
//   o.encoder = onnx::import_file("encoder.onnx");     // reconstruction models need their encoder
//   Calibration c = calibration_inputs(decoder, o, 512); // 512 training samples as input batches
#pragma once
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "coda/core/tensor.h"
#include "coda/graph/graph.h"

namespace coda::quant {

struct EvalOptions {
  std::string dataset;                   // "fashion-mnist" | "digits-graph"; empty: the model's coda.dataset
  int64_t limit = -1;                    // the first N test samples only (-1: all)
  int64_t batch = 250;                   // samples per executor call
  int threads = 0;                       // 0: all cores
  std::optional<graph::Graph> encoder;   // for reconstruction models (metadata coda.encoder)
  Tensor roi;                            // reconstruction: f32 [H, W] map for the ROI-weighted PSNR (optional)
  // Called after every batch with (samples done, total, seconds elapsed); may be empty.
  std::function<void(int64_t, int64_t, double)> progress;
};

struct Evaluation {
  std::string metric;  // "top1" or "psnr_db"
  double value = 0;
  int64_t samples = 0;
  double seconds = 0;
  double roi_psnr_db = NAN;  // reconstruction with EvalOptions::roi: the ROI-weighted PSNR
};

// The model's task ("classification", "reconstruction", "node-classification") and dataset, from
// its metadata with the defaults of a plain Fashion-MNIST classifier.
std::string model_task(const graph::Graph& g);
std::string model_dataset(const graph::Graph& g, const std::string& requested = "");

// Runs g over the test split. InvalidError for an unknown dataset, a task the dataset cannot
// evaluate, or a reconstruction model without an encoder.
Evaluation evaluate(const graph::Graph& g, const EvalOptions& o);

// Calibration data: batches of runtime inputs by name, drawn from the training split (Fashion-MNIST:
// the first n training images, through the encoder for reconstruction models; digits graph: the
// whole graph once). `images` receives the images behind the batches ([n,1,28,28]) when not null.
struct Calibration {
  std::vector<std::map<std::string, Tensor>> batches;
  Tensor images;  // the training images used (Fashion-MNIST), else empty
  int64_t samples = 0;
};
Calibration calibration_inputs(const graph::Graph& g, const EvalOptions& o, int64_t n);

}  // namespace coda::quant
