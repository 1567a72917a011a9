#include "coda/quant/study.h"

#include <chrono>

#include "coda/core/error.h"

namespace coda::quant {

namespace {

struct FormatSpec {
  const char* name;
  const char* weights;
  const char* acts;
  int mac_bits;  // integer MAC width that runs it (0: not an integer format)
};
constexpr FormatSpec kFormats[] = {{"W8A8", "int8/ch", "uint8", 8},
                                   {"W4A8", "int4/ch", "uint8", 8},
                                   {"W4A4", "int4/ch", "uint4", 4},
                                   {"MXFP4", "mxfp4", "uint8", 0},
                                   {"SMX-INT8", "smx8", "uint8", 8}};
constexpr const char* kMethods[] = {"rtn", "smoothquant", "gptq", "gptq-dyn", "esca"};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::vector<StudyConfig> study_configs(const StudyOptions& so) {
  std::vector<std::string> formats = so.formats, methods = so.methods;
  if (formats.empty())
    for (const auto& f : kFormats) formats.push_back(f.name);
  if (methods.empty())
    for (const char* m : kMethods) methods.push_back(m);
  std::vector<StudyConfig> out;
  for (const auto& m : methods) {
    bool known = false;
    for (const char* k : kMethods) known |= m == k;
    if (!known) throw InvalidError("--methods", "unknown method '" + m + "' (rtn, smoothquant, gptq, gptq-dyn, esca)");
  }
  for (const auto& f : formats) {
    const FormatSpec* spec = nullptr;
    for (const auto& k : kFormats)
      if (f == k.name) spec = &k;
    if (!spec) throw InvalidError("--formats", "unknown format '" + f + "' (W8A8, W4A8, W4A4, MXFP4, SMX-INT8)");
    for (const auto& m : methods) out.push_back({spec->name, spec->weights, spec->acts, m});
  }
  return out;
}

int format_mac_bits(const std::string& format) {
  for (const auto& k : kFormats)
    if (format == k.name) return k.mac_bits;
  return 0;
}

PtqOptions ptq_options(const StudyConfig& c, const PtqOptions& base) {
  PtqOptions o = base;
  o.weights = parse_format(c.weights);
  o.acts = parse_format(c.acts);
  if (c.method == "gptq-dyn") {
    o.method = PtqMethod::Gptq;
    o.act_mode = ActMode::Dynamic;
  } else {
    o.method = parse_method(c.method);
  }
  return o;
}

std::vector<StudyRow> accuracy_study(const graph::Graph& g, const EvalOptions& eo, const StudyOptions& so) {
  const std::vector<StudyConfig> configs = study_configs(so);
  const Calibration calib = calibration_inputs(g, eo, so.calib);
  PtqOptions base;
  if (model_task(g) == "reconstruction" && calib.images.defined()) base.importance = esca_importance_map(calib.images);
  base.threads = eo.threads;
  EvalOptions quiet = eo;
  quiet.progress = nullptr;
  if (base.importance.defined()) quiet.roi = base.importance;  // the ROI ESCA optimises for, measured too
  std::vector<StudyRow> rows;
  StudyRow fp;
  fp.config = {"FP32", "fp32", "fp32", "fp32"};
  fp.eval = evaluate(g, quiet);
  rows.push_back(fp);
  if (so.progress) so.progress(fp, 1, configs.size() + 1);
  for (const StudyConfig& c : configs) {
    const PtqOptions o = ptq_options(c, base);
    StudyRow row;
    row.config = c;
    const auto t0 = std::chrono::steady_clock::now();
    PtqResult r = quantize_model(g, calib, o);
    row.quantize_seconds = seconds_since(t0);
    int fallback = 0;
    for (const LayerReport& l : r.layers) fallback += (o.method == PtqMethod::Gptq || o.method == PtqMethod::Esca) && l.method == "rtn";
    if (fallback) row.note = format("%d layer(s) with RTN weights (GPTQ needs INT)", fallback);
    row.eval = evaluate(r.graph, quiet);
    rows.push_back(row);
    if (so.progress) so.progress(row, rows.size(), configs.size() + 1);
  }
  return rows;
}

}  // namespace coda::quant
