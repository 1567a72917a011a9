// The accuracy study behind `coda quantize MODEL --report`: one model quantized in several formats
// by several methods, each result evaluated on the full test set.
//
// Formats (weights / activations): W8A8 = int8/ch / uint8, W4A8 = int4/ch / uint8,
// W4A4 = int4/ch / uint4, MXFP4 = mxfp4 / uint8, SMX-INT8 = smx8 / uint8.
// Methods: rtn, smoothquant, gptq (static per-tensor activations, min-max ranges), gptq-dyn (GPTQ
// with ESCA's dynamic per-row activation quantizer: the like-for-like baseline for esca), esca.
// GPTQ and ESCA need INT weights: on MXFP4 / SMX their weights fall back to RTN (noted in the row).
//
//   StudyOptions so;  so.calib = 512;
//   std::vector<StudyRow> rows = accuracy_study(g, eval_opts, so);
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "coda/quant/evaluate.h"
#include "coda/quant/ptq.h"

namespace coda::quant {

struct StudyConfig {
  std::string format;   // "W8A8", ...
  std::string weights;  // weight format name
  std::string acts;     // activation format name
  std::string method;   // rtn | smoothquant | gptq | gptq-dyn | esca
};

struct StudyRow {
  StudyConfig config;
  Evaluation eval;
  double quantize_seconds = 0;
  std::string note;  // e.g. "weights: rtn (gptq needs INT)"
};

struct StudyOptions {
  int64_t calib = 512;
  std::vector<std::string> formats;  // empty: all five
  std::vector<std::string> methods;  // empty: all five
  // Called after each row; may be empty.
  std::function<void(const StudyRow&, size_t done, size_t total)> progress;
};

std::vector<StudyConfig> study_configs(const StudyOptions& so);  // InvalidError on an unknown name
// The integer operand width a MAC needs for a study format: the wider of its weights and activations
// (W8A8, W4A8, SMX-INT8: 8; W4A4: 4); 0 for one that is not integer (fp32, MXFP4) or unknown.
int format_mac_bits(const std::string& format);
// The PTQ options of one configuration on top of `base` (calibration, threads, importance map).
PtqOptions ptq_options(const StudyConfig& c, const PtqOptions& base);

// The float baseline first (method "fp32"), then every configuration.
std::vector<StudyRow> accuracy_study(const graph::Graph& g, const EvalOptions& eo, const StudyOptions& so);

}  // namespace coda::quant
