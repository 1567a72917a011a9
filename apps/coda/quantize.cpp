// `coda quantize`: post-training quantization of a model (RTN, SmoothQuant, GPTQ, ESCA), written as
// a QDQ ONNX model; `--eval` measures it, `--report` runs the accuracy study.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "coda/core/error.h"
#include "coda/onnx/export.h"
#include "coda/quant/evaluate.h"
#include "coda/quant/plan.h"
#include "coda/quant/ptq.h"
#include "coda/quant/study.h"

namespace coda::cli {

namespace {

struct QuantizeOptions {
  std::string model, output, plan, weights = "int8/ch", acts = "uint8", method = "rtn", act_mode, observer = "minmax";
  std::string dataset;
  int64_t calib = 512, limit = -1;
  int threads = 0;
  double alpha = -1, ffas = 10, clip_ratio = 0.9;
  bool list = false, eval = false, report = false, json = false, no_bmm = false, qlinear = false, no_smooth = false, no_importance = false;
  std::vector<std::string> formats, methods;
};

bool tty() { return isatty(STDERR_FILENO); }

void progress_line(const std::string& text) {
  if (tty()) std::fprintf(stderr, "\r%-78.78s", text.c_str());
  else std::fprintf(stderr, "%s\n", text.c_str());
}
void progress_done() {
  if (tty()) std::fprintf(stderr, "\r%78s\r", "");
}

quant::PtqOptions ptq_options(const QuantizeOptions& q) {
  quant::PtqOptions o;
  o.method = quant::parse_method(q.method);
  o.weights = quant::parse_format(q.weights);
  if (q.acts == "none" || q.acts == "fp32") o.acts = std::nullopt;
  else o.acts = quant::parse_format(q.acts);
  if (!q.act_mode.empty()) {
    if (q.act_mode != "static" && q.act_mode != "dynamic")
      throw InvalidError("--act-mode", "'" + q.act_mode + "' is not static or dynamic");
    o.act_mode = q.act_mode == "static" ? quant::ActMode::Static : quant::ActMode::Dynamic;
  }
  o.observer = q.observer;
  o.alpha = q.alpha;
  o.ffas_percent = q.ffas;
  if (!(q.clip_ratio > 0 && q.clip_ratio <= 1)) throw InvalidError("--clip-ratio", format("%g is outside (0, 1]", q.clip_ratio));
  o.clip_ratio = static_cast<float>(q.clip_ratio);
  o.quantize_bmm = !q.no_bmm;
  o.qlinear = q.qlinear;
  o.esca_smooth = !q.no_smooth;
  o.threads = q.threads;
  if (!q.plan.empty()) quant::apply_plan_file(q.plan, o);
  return o;
}

std::string metric_text(const quant::Evaluation& e) {
  if (e.metric != "psnr_db") return format("%.2f%%", 100 * e.value);
  if (std::isnan(e.roi_psnr_db)) return format("%.3f dB", e.value);
  return format("%.3f dB (ROI %.3f)", e.value, e.roi_psnr_db);
}

int run_report(const QuantizeOptions& q, const graph::Graph& g, const quant::EvalOptions& eo) {
  quant::StudyOptions so;
  so.calib = q.calib;
  so.formats = q.formats;
  so.methods = q.methods;
  so.progress = [](const quant::StudyRow& r, size_t done, size_t total) {
    progress_line(format("  [%zu/%zu] %s %s: %s", done, total, r.config.format.c_str(), r.config.method.c_str(),
                         metric_text(r.eval).c_str()));
  };
  std::vector<quant::StudyRow> rows = quant::accuracy_study(g, eo, so);
  progress_done();
  if (q.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : rows) {
      j.push_back({{"format", r.config.format}, {"weights", r.config.weights}, {"acts", r.config.acts},
                   {"method", r.config.method}, {"metric", r.eval.metric}, {"value", r.eval.value},
                   {"samples", r.eval.samples}, {"quantize_seconds", r.quantize_seconds},
                   {"eval_seconds", r.eval.seconds}, {"note", r.note}});
      if (!std::isnan(r.eval.roi_psnr_db)) j.back()["roi_psnr_db"] = r.eval.roi_psnr_db;
    }
    std::printf("%s\n", nlohmann::json({{"model", q.model}, {"calib", q.calib}, {"rows", j}}).dump(2).c_str());
    return 0;
  }
  // A table: formats down, methods across.
  std::vector<std::string> methods, formats;
  for (const auto& r : rows) {
    if (r.config.method == "fp32") continue;
    if (std::find(methods.begin(), methods.end(), r.config.method) == methods.end()) methods.push_back(r.config.method);
    if (std::find(formats.begin(), formats.end(), r.config.format) == formats.end()) formats.push_back(r.config.format);
  }
  std::printf("%s: %s on %lld test samples, FP32 %s; calibration %lld training samples\n\n", q.model.c_str(),
              rows[0].eval.metric.c_str(), (long long)rows[0].eval.samples, metric_text(rows[0].eval).c_str(),
              (long long)q.calib);
  std::printf("| format |");
  for (const auto& m : methods) std::printf(" %s |", m.c_str());
  std::printf("\n|---|");
  for (size_t k = 0; k < methods.size(); ++k) std::printf("---|");
  std::printf("\n");
  std::vector<std::string> notes;
  for (const auto& f : formats) {
    std::printf("| %s |", f.c_str());
    for (const auto& m : methods)
      for (const auto& r : rows)
        if (r.config.format == f && r.config.method == m) {
          std::string mark;
          if (!r.note.empty()) {
            notes.push_back(f + " " + m + ": " + r.note);
            mark = "*";
          }
          std::printf(" %s%s |", metric_text(r.eval).c_str(), mark.c_str());
        }
    std::printf("\n");
  }
  for (const auto& n : notes) std::printf("\n* %s", n.c_str());
  if (!notes.empty()) std::printf("\n");
  return 0;
}

int run_quantize(const QuantizeOptions& q) {
  graph::Graph g = load_model(q.model);
  if (q.list) {
    for (const auto& n : quant::quantizable_layers(g)) std::printf("%s\n", n.c_str());
    return 0;
  }
  quant::EvalOptions eo;
  eo.dataset = q.dataset;
  eo.limit = q.limit;
  eo.threads = q.threads;
  eo.encoder = load_encoder(q.model, g);
  if (q.report) return run_report(q, g, eo);
  quant::PtqOptions o = ptq_options(q);
  if (q.output.empty() && !q.eval) throw InvalidError("coda quantize", "give -o OUT.onnx, --eval, --report or --list");
  const auto t0 = std::chrono::steady_clock::now();
  quant::Calibration calib = quant::calibration_inputs(g, eo, q.calib);
  if (o.method == quant::PtqMethod::Esca && !q.no_importance && !o.importance.defined() && quant::model_task(g) == "reconstruction" &&
      calib.images.defined())
    o.importance = quant::esca_importance_map(calib.images);
  o.progress = [](const std::string& layer, int i, int n) { progress_line(format("  layer %d/%d %s", i + 1, n, layer.c_str())); };
  quant::PtqResult r = quant::quantize_model(g, calib, o);
  progress_done();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!q.output.empty()) {
    graph::Graph out = r.graph;
    auto enc = out.metadata().find("coda.encoder");
    if (enc != out.metadata().end()) {  // keep the encoder reachable from the output's folder
      std::filesystem::path src = std::filesystem::path(q.model).parent_path() / enc->second;
      std::filesystem::path dir = std::filesystem::absolute(q.output).parent_path();
      enc->second = std::filesystem::relative(std::filesystem::absolute(src), dir).string();
    }
    out.metadata()["coda.quantized"] = format("method=%s weights=%s acts=%s calib=%lld", q.method.c_str(),
                                              quant::format_name(o.weights).c_str(),
                                              o.acts ? quant::format_name(*o.acts).c_str() : "fp32", (long long)q.calib);
    onnx::export_file(out, q.output);
  }
  std::optional<quant::Evaluation> ev;
  if (q.eval) {
    quant::EvalOptions e2 = eo;
    if (quant::model_task(g) == "reconstruction" && calib.images.defined())
      e2.roi = quant::esca_importance_map(calib.images);
    e2.progress = [](int64_t done, int64_t total, double s) {
      if (tty()) progress_line(format("  %lld/%lld samples  %.1f s", (long long)done, (long long)total, s));
    };
    ev = quant::evaluate(r.graph, e2);
    progress_done();
  }
  if (q.json) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : r.layers)
      layers.push_back({{"name", l.name}, {"op", l.op}, {"weights", l.weights}, {"acts", l.acts}, {"method", l.method},
                        {"smoothed_channels", l.smoothed_channels}, {"exempt_channels", l.exempt_channels},
                        {"error_rtn", l.error_rtn}, {"error_gptq", l.error_gptq}, {"qlinear", l.qlinear}});
    nlohmann::json j = {{"model", q.model}, {"method", q.method}, {"layers", layers}, {"seconds", seconds}};
    if (!q.output.empty()) j["output"] = q.output;
    if (ev) j["eval"] = {{"metric", ev->metric}, {"value", ev->value}, {"samples", ev->samples}};
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("%-32s %-6s %-10s %-28s %-12s %12s %12s\n", "layer", "op", "weights", "acts", "method", "err_rtn", "err_gptq");
  for (const auto& l : r.layers) {
    std::string m = l.method + (l.qlinear ? " qlinear" : "");
    if (l.smoothed_channels) m += format(" s%lld", (long long)l.smoothed_channels);
    std::printf("%-32s %-6s %-10s %-28s %-12s %12s %12s\n", l.name.c_str(), l.op.c_str(), l.weights.c_str(), l.acts.c_str(),
                m.c_str(), l.error_rtn >= 0 ? format("%.4g", l.error_rtn).c_str() : "-",
                l.error_gptq >= 0 ? format("%.4g", l.error_gptq).c_str() : "-");
  }
  std::printf("quantized %zu layers in %.2f s (%lld calibration samples)", r.layers.size(), seconds, (long long)calib.samples);
  if (!q.output.empty()) std::printf(", wrote %s", q.output.c_str());
  std::printf("\n");
  if (ev) std::printf("%s: %s over %lld test samples\n", ev->metric.c_str(), metric_text(*ev).c_str(), (long long)ev->samples);
  return 0;
}

}  // namespace

Action add_quantize(CLI::App& app) {
  auto o = std::make_shared<QuantizeOptions>();
  auto* sub = app.add_subcommand("quantize", "Post-training quantization (RTN, SmoothQuant, GPTQ, ESCA) to a QDQ ONNX model");
  sub->add_option("model", o->model, "MODEL: an .onnx file or zoo:NAME[?key=value...]")->required();
  sub->add_option("-o,--output", o->output, "OUT.onnx: write the quantized model (QuantizeLinear/DequantizeLinear)");
  sub->add_option("--weights", o->weights, "weight format: int2..int16[/ch|/gN][/asym], fp8e4m3, mxfp4, smx8, ... (default int8/ch)");
  sub->add_option("--acts", o->acts, "activation format: uint8, int8, uint4, int4, ... or none (default uint8)");
  sub->add_option("--method", o->method, "rtn | smoothquant | gptq | esca (default rtn)");
  sub->add_option("--act-mode", o->act_mode, "static (calibrated per tensor) | dynamic (per row); default: dynamic for esca");
  sub->add_option("--observer", o->observer, "static activation ranges: minmax | percentile | mse | kl (default minmax)");
  sub->add_option("--calib", o->calib, "calibration samples from the training split (default 512)")->check(CLI::PositiveNumber);
  sub->add_option("--plan", o->plan, "PLAN.yaml: per-layer formats and methods (see docs/quantization.md)");
  sub->add_option("--alpha", o->alpha, "smoothing strength (default 0.5 smoothquant, 0.8 esca)");
  sub->add_option("--ffas", o->ffas, "esca: percent of highest-variance input channels left unsmoothed (default 10)");
  sub->add_option("--clip-ratio", o->clip_ratio, "dynamic activations: range clip ratio (default 0.9)");
  sub->add_flag("--no-smooth", o->no_smooth, "esca ablation: no ICAS/FFAS smoothing");
  sub->add_flag("--no-importance", o->no_importance, "esca ablation: no importance map (plain Hessian and statistics)");
  sub->add_flag("--no-bmm", o->no_bmm, "leave activation x activation MatMuls in float");
  sub->add_flag("--qlinear", o->qlinear,
                "write INT8 layers as QLinearConv / QLinearMatMul (integer end to end; needs 8-bit static acts, symmetric INT weights)");
  sub->add_option("--dataset", o->dataset, "dataset for calibration and --eval (default: the model's)");
  sub->add_option("--limit", o->limit, "--eval/--report: the first N test samples only");
  sub->add_option("--threads", o->threads, "threads (default: all cores)")->check(CLI::NonNegativeNumber);
  sub->add_flag("--list", o->list, "print the quantizable layers and exit");
  sub->add_flag("--eval", o->eval, "evaluate the quantized model on the test set");
  sub->add_flag("--report", o->report, "accuracy study: every format x method, evaluated on the test set");
  sub->add_option("--formats", o->formats, "--report: formats (W8A8 W4A8 W4A4 MXFP4 SMX-INT8)");
  sub->add_option("--methods", o->methods, "--report: methods (rtn smoothquant gptq gptq-dyn esca)");
  sub->add_flag("--json", o->json, "print the result as JSON");
  return [o] { return run_quantize(*o); };
}

}  // namespace coda::cli
