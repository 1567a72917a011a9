// coda.quantize and coda.evaluate: post-training quantization (quant/ptq.h) and measuring a model on
// its dataset (quant/evaluate.h), as `coda quantize` and `coda run --dataset` do.
#include <chrono>
#include <cmath>
#include <filesystem>

#include "coda/core/error.h"
#include "coda/quant/evaluate.h"
#include "coda/quant/plan.h"
#include "coda/quant/ptq.h"
#include "coda_py.h"

namespace coda::py {

using namespace pybind11::literals;

namespace {

// The encoder a reconstruction model names in its metadata (coda.encoder, relative to its file).
std::optional<graph::Graph> load_encoder(const Model& m) {
  auto it = m.graph.metadata().find("coda.encoder");
  if (it == m.graph.metadata().end()) return std::nullopt;
  std::filesystem::path enc = std::filesystem::path(m.base_dir) / it->second;
  return load_model(enc.string())->graph;
}

quant::EvalOptions eval_options(const Model& m, const std::optional<std::string>& dataset, int64_t limit, int64_t batch,
                                int threads) {
  if (threads < 0) throw InvalidError("threads", format("%d is negative", threads));
  if (batch < 1) throw InvalidError("batch", format("%lld is not a positive batch size", (long long)batch));
  quant::EvalOptions eo;
  eo.dataset = dataset.value_or("");
  eo.limit = limit;
  eo.batch = batch;
  eo.threads = threads;
  eo.encoder = load_encoder(m);
  return eo;
}

pyb::dict evaluation_dict(const quant::Evaluation& e) {
  pyb::dict d("metric"_a = e.metric, "value"_a = e.value, "samples"_a = e.samples, "seconds"_a = e.seconds);
  if (!std::isnan(e.roi_psnr_db)) d["roi_psnr_db"] = e.roi_psnr_db;
  return d;
}

pyb::dict evaluate(const pyb::object& model, const std::optional<std::string>& dataset, int64_t limit, int64_t batch,
                   int threads, const pyb::object& roi) {
  ModelPtr m = model_arg(model);
  quant::EvalOptions eo = eval_options(*m, dataset, limit, batch, threads);
  if (!roi.is_none()) eo.roi = to_tensor(roi, DType::f32, "roi");
  quant::Evaluation e;
  {
    pyb::gil_scoped_release nogil;
    e = quant::evaluate(m->graph, eo);
  }
  return evaluation_dict(e);
}

// Calibration batches given by the caller: one {name: array} or a list of them.
quant::Calibration user_calibration(const Model& m, const pyb::object& data) {
  std::vector<pyb::object> batches;
  if (pyb::isinstance<pyb::dict>(data)) batches.push_back(data);
  else
    for (auto b : data) batches.push_back(pyb::reinterpret_borrow<pyb::object>(b));
  if (batches.empty()) throw InvalidError("calibration", "no batches given");
  quant::Calibration c;
  for (const auto& b : batches) {
    if (!pyb::isinstance<pyb::dict>(b)) throw pyb::type_error("calibration: expected a dict {input name: array} or a list of them");
    std::map<std::string, Tensor> batch;
    for (auto [k, v] : b.cast<pyb::dict>()) {
      std::string name = pyb::str(k).cast<std::string>();
      graph::ValueId id = m.graph.find(name);
      batch[name] = to_tensor(v, id == graph::kNoValue ? DType::undefined : m.graph.value(id).dtype, "calibration '" + name + "'");
    }
    if (!batch.empty() && batch.begin()->second.rank() > 0) c.samples += batch.begin()->second.dim(0);
    c.batches.push_back(std::move(batch));
  }
  return c;
}

pyb::list report_list(const std::vector<quant::LayerReport>& layers) {
  pyb::list l;
  for (const auto& r : layers)
    l.append(pyb::dict("name"_a = r.name, "op"_a = r.op, "weights"_a = r.weights, "acts"_a = r.acts, "method"_a = r.method,
                       "smoothed_channels"_a = r.smoothed_channels, "exempt_channels"_a = r.exempt_channels,
                       "error_rtn"_a = r.error_rtn >= 0 ? pyb::object(pyb::float_(r.error_rtn)) : pyb::object(pyb::none()),
                       "error_gptq"_a = r.error_gptq >= 0 ? pyb::object(pyb::float_(r.error_gptq)) : pyb::object(pyb::none()),
                       "qlinear"_a = r.qlinear));
  return l;
}

pyb::tuple quantize(const pyb::object& model, const std::string& weights, const std::optional<std::string>& acts,
                    const std::string& method, const std::optional<std::string>& act_mode, const std::string& observer,
                    int64_t calib, const std::optional<double>& alpha, double ffas, double clip_ratio, bool bmm, bool qlinear,
                    bool smooth, bool importance, const pyb::object& plan, const pyb::object& calibration,
                    const std::optional<std::string>& dataset, int threads) {
  ModelPtr m = model_arg(model);
  quant::PtqOptions o;
  o.method = quant::parse_method(method);
  o.weights = quant::parse_format(weights);
  if (!acts || *acts == "none" || *acts == "fp32") o.acts = std::nullopt;
  else o.acts = quant::parse_format(*acts);
  if (act_mode) {
    if (*act_mode != "static" && *act_mode != "dynamic")
      throw InvalidError("act_mode", "'" + *act_mode + "' is not static or dynamic");
    o.act_mode = *act_mode == "static" ? quant::ActMode::Static : quant::ActMode::Dynamic;
  }
  o.observer = observer;
  o.alpha = alpha.value_or(-1);
  o.ffas_percent = ffas;
  if (!(clip_ratio > 0 && clip_ratio <= 1)) throw InvalidError("clip_ratio", format("%g is outside (0, 1]", clip_ratio));
  o.clip_ratio = static_cast<float>(clip_ratio);
  o.quantize_bmm = bmm;
  o.qlinear = qlinear;
  o.esca_smooth = smooth;
  if (calib < 1) throw InvalidError("calib", format("%lld is not a positive number of samples", (long long)calib));
  quant::EvalOptions eo = eval_options(*m, dataset, -1, 250, threads);
  o.threads = threads;
  if (pyb::isinstance<pyb::dict>(plan)) {  // JSON is YAML: a dict plan goes through the same reader as a file
    std::string text = pyb::module_::import("json").attr("dumps")(plan).cast<std::string>();
    quant::apply_plan_text(text, "plan", o);
  } else if (!plan.is_none()) {
    quant::apply_plan_file(path_arg(plan, "plan"), o);
  }
  std::optional<quant::Calibration> given;
  if (!calibration.is_none()) given = user_calibration(*m, calibration);

  quant::PtqResult r;
  int64_t samples = 0;
  const auto t0 = std::chrono::steady_clock::now();
  {
    pyb::gil_scoped_release nogil;
    quant::Calibration c = given ? std::move(*given) : quant::calibration_inputs(m->graph, eo, calib);
    if (o.method == quant::PtqMethod::Esca && importance && !o.importance.defined() &&
        quant::model_task(m->graph) == "reconstruction" && c.images.defined())
      o.importance = quant::esca_importance_map(c.images);
    samples = c.samples;
    r = quant::quantize_model(m->graph, c, o);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  auto q = std::make_shared<Model>();
  q->source = m->source;
  q->base_dir = m->base_dir;
  q->graph = std::move(r.graph);
  std::string acts_name = o.acts ? quant::format_name(*o.acts) : "fp32";
  q->graph.metadata()["coda.quantized"] = format("method=%s weights=%s acts=%s calib=%lld", method.c_str(),
                                                 quant::format_name(o.weights).c_str(), acts_name.c_str(), (long long)samples);
  q->quantization = pyb::dict("method"_a = quant::method_name(o.method), "weights"_a = quant::format_name(o.weights),
                              "acts"_a = acts_name, "calib"_a = samples, "seconds"_a = seconds);
  return pyb::make_tuple(q, report_list(r.layers));
}

}  // namespace

void register_quant(pyb::module_& m) {
  m.def("quantize", &quantize, "model"_a, "weights"_a = "int8/ch", "acts"_a = "uint8", "method"_a = "rtn",
        "act_mode"_a = pyb::none(), "observer"_a = "minmax", "calib"_a = 512, "alpha"_a = pyb::none(), "ffas"_a = 10.0,
        "clip_ratio"_a = 0.9, "bmm"_a = true, "qlinear"_a = false, "smooth"_a = true, "importance"_a = true,
        "plan"_a = pyb::none(), "calibration"_a = pyb::none(), "dataset"_a = pyb::none(), "threads"_a = 0,
        R"doc(Post-training quantization, as `coda quantize`. Returns (quantized Model, report).

model: a coda.Model or a model spec. weights: int2..int16 with /ch (per channel), /gN (groups of N),
/asym; fp8e4m3, fp8e5m2, mxint8, mxfp8e4m3, mxfp6e3m2, mxfp4, smx8, smx12 (default "int8/ch").
acts: the same formats, or None / "none" for weight-only (default "uint8").
method: "rtn", "smoothquant", "gptq" or "esca". act_mode: "static" or "dynamic" (default: dynamic for
esca, static otherwise). observer: minmax | percentile | mse | kl (static activation ranges).
calib: calibration samples from the model's dataset's training split (default 512), or
calibration: your own batches, a dict {input name: array} or a list of them (then calib is unused).
alpha: smoothing strength (default 0.5 smoothquant, 0.8 esca); ffas: esca's percent of channels left
unsmoothed; clip_ratio: dynamic activations' range clip; bmm: quantize activation x activation MatMuls;
qlinear: INT8 layers as QLinearConv / QLinearMatMul; smooth / importance: esca ablations.
plan: per-layer settings, a YAML file or the same as a dict, e.g.
{"layers": {"/fc2/Gemm": "skip", "/conv1/Conv": {"weights": "int8/ch"}}} (docs/quantization.md).
The report is one dict per quantized layer: name, op, weights, acts, method, smoothed_channels,
exempt_channels, error_rtn, error_gptq (tr((W-Q)H(W-Q)^T) where a Hessian was built, else None),
qlinear. Releases the GIL.)doc");
  m.def("evaluate", &evaluate, "model"_a, "dataset"_a = pyb::none(), "limit"_a = -1, "batch"_a = 250, "threads"_a = 0,
        "roi"_a = pyb::none(),
        R"doc(Measures a model on its test set, as `coda run MODEL --dataset`.

dataset: "fashion-mnist" or "digits-graph" (default: the model's metadata coda.dataset); limit: the
first N test samples only (-1: all); batch: samples per executor call; roi: for reconstruction
models, a float [H, W] map for an ROI-weighted PSNR. A reconstruction model's encoder is loaded from
its metadata (coda.encoder, relative to the model file). Returns {metric ("top1" or "psnr_db"),
value, samples, seconds[, roi_psnr_db]}. Releases the GIL.)doc");
}

}  // namespace coda::py
