// Quantization plans: per-layer formats and methods in YAML (`coda quantize --plan PLAN.yaml`).
//
//   method: gptq              # optional defaults; each overrides the command line
//   weights: int4/g32
//   acts: uint8               # "none" (or "fp32"): weight-only
//   act_mode: static          # static | dynamic
//   layers:                   # by node name (`coda quantize MODEL --list` prints them)
//     /conv1/Conv: {weights: int8/ch, acts: uint8}
//     /fc2/Gemm: skip         # keep this layer in float
//     /fc1/Gemm: {acts: none, method: rtn}
//
// A malformed file, an unknown key, a bad format or method raises ParseError / InvalidError naming
// the file and line. Whether the layers exist is checked by quantize_model.
#pragma once
#include <string>

#include "coda/quant/ptq.h"

namespace coda::quant {

// Reads `path` and applies it on top of `o`.
void apply_plan_file(const std::string& path, PtqOptions& o);
void apply_plan_text(const std::string& yaml, const std::string& where, PtqOptions& o);

}  // namespace coda::quant
