// Quantized models that `coda quantize` writes (QDQ, and QLinearConv / QLinearMatMul with
// --qlinear), run by ONNX Runtime (optimisations disabled) and by coda's executor.
//
// Per layer: every quantized layer is cut out with the nodes quantize_model added for it (smoothing
// Div, QuantizeLinear / Clip / DequantizeLinear or the dynamic per-row quantizer, the weight's
// DequantizeLinear) and run on the activation coda computed for it; outputs agree within 1e-5 (relative
// to the largest output magnitude when that exceeds 1); QLinear layers give identical integers, so
// their dequantized outputs are equal.
// Whole model: the same quantized model end to end. A float difference of one ulp upstream can move a
// value across a rounding boundary of a later QuantizeLinear, so the whole-model check is that the
// predictions (argmax) agree on at least 97% of the samples and the outputs within 5% of their range.
#include <gtest/gtest.h>

#include <set>

#include "coda/datasets/metrics.h"
#include "coda/exec/executor.h"
#include "coda/onnx/export.h"
#include "coda/onnx/import.h"
#include "coda/quant/evaluate.h"
#include "coda/quant/ptq.h"
#include "ort_util.h"

using coda::Tensor;
using namespace coda::test;
namespace graph = coda::graph;
namespace quant = coda::quant;

namespace {

struct Config {
  const char* label;
  const char* method;
  const char* weights;
  const char* acts;
  const char* mode;  // "" = method default
  bool qlinear = false;
};

// gtest prints a parameter with this (instead of its bytes).
void PrintTo(const Config& c, std::ostream* os) { *os << c.label; }

const Config kConfigs[] = {
    {"w8a8_rtn", "rtn", "int8/ch", "uint8", ""},
    {"w8a8_smoothquant", "smoothquant", "int8/ch", "int8", ""},
    {"w4a4_gptq", "gptq", "int4/ch", "uint4", ""},
    {"w4a4_esca", "esca", "int4/g4/asym", "uint4", ""},
    {"w4a8_gptq_group", "gptq", "int4/g16", "uint8", "dynamic"},
    {"mxfp4_rtn", "rtn", "mxfp4", "uint8", ""},
    {"w8a8_rtn_qlinear", "rtn", "int8/ch", "uint8", "", true},
    {"w8a8_gptq_qlinear", "gptq", "int8", "int8", "", true},
};

graph::Graph load(const std::string& name) {
  graph::Graph g = coda::onnx::import_file((kSrc / "models" / (name + ".onnx")).string());
  coda::exec::prepare(g);
  return g;
}

std::vector<Tensor> sample_inputs(const std::string& name) {
  if (name == "gcn")
    return {coda::read_npy((kSrc / "models/samples/gcn_features.npy").string()),
            coda::read_npy((kSrc / "models/samples/gcn_adjacency.npy").string())};
  return {coda::read_npy((kSrc / "models/samples" / (name + "_input.npy")).string())};
}

// The nodes of layer `layer` (the layer and the nodes named "<layer>.*") as a graph whose inputs are
// the values they read from elsewhere.
graph::Graph cut_layer(const graph::Graph& g, const std::string& layer, std::vector<std::string>& boundary) {
  graph::Graph s(layer);
  s.set_opset(g.opset());
  std::set<graph::ValueId> produced, added;
  std::vector<const graph::Node*> nodes;
  for (const graph::Node& n : g.nodes())
    if (n.name == layer || n.name.rfind(layer + ".", 0) == 0) {
      nodes.push_back(&n);
      for (auto o : n.outputs) produced.insert(o);
    }
  std::map<graph::ValueId, graph::ValueId> map;
  auto value = [&](graph::ValueId v) {
    if (v == graph::kNoValue) return v;
    auto it = map.find(v);
    if (it != map.end()) return it->second;
    const graph::Value& val = g.value(v);
    graph::ValueId id;
    if (val.is_constant()) id = s.add_constant(val.name, *val.constant);
    else if (!produced.count(v)) {
      id = s.add_input(val.name, val.dtype, val.shape);
      boundary.push_back(val.name);
    } else id = s.add_value(val.name, val.dtype);
    map[v] = id;
    return id;
  };
  graph::ValueId out = graph::kNoValue;
  for (const graph::Node* n : nodes) {
    std::vector<graph::ValueId> in, outs;
    for (auto v : n->inputs) in.push_back(value(v));
    for (auto v : n->outputs) outs.push_back(value(v));
    s.add_node(n->op, n->name, in, outs, n->attrs);
    if (n->name == layer) out = outs.at(0);
  }
  s.mark_output(out);
  return s;
}

class QuantOrt : public ::testing::TestWithParam<std::tuple<std::string, Config>> {};

TEST_P(QuantOrt, ExportedModelMatchesOnnxRuntime) {
  const auto& [name, cfg] = GetParam();
  const std::string label = name + "_" + cfg.label;
  graph::Graph g = load(name);
  quant::EvalOptions eo;
  eo.threads = 2;
  if (g.metadata().count("coda.encoder")) eo.encoder = load(g.metadata().at("coda.encoder").substr(0, g.metadata().at("coda.encoder").size() - 5));
  quant::Calibration calib = quant::calibration_inputs(g, eo, 64);
  quant::PtqOptions o;
  o.method = quant::parse_method(cfg.method);
  o.weights = quant::parse_format(cfg.weights);
  o.acts = quant::parse_format(cfg.acts);
  if (std::string(cfg.mode) == "dynamic") o.act_mode = quant::ActMode::Dynamic;
  if (calib.images.defined() && quant::model_task(g) == "reconstruction") o.importance = quant::esca_importance_map(calib.images);
  o.threads = 2;
  o.qlinear = cfg.qlinear;
  quant::PtqResult r = quant::quantize_model(g, calib, o);

  fs::path dir = scratch(label);
  fs::path file = dir / "model.onnx";
  coda::onnx::export_file(r.graph, file.string());
  const std::vector<Tensor> inputs = sample_inputs(name);

  // Whole model.
  coda::exec::Executor ex(coda::onnx::import_file(file.string()), {.threads = 2});
  std::vector<Tensor> ours = ex.run(inputs);
  std::vector<Tensor> theirs = run_ort(file, inputs, ex.input_names(), dir);
  ASSERT_EQ(ours.size(), theirs.size()) << label;
  const Tensor& a = ours[0];
  const Tensor& b = theirs[0];
  double lo = INFINITY, hi = -INFINITY;
  for (int64_t i = 0; i < b.numel(); ++i) lo = std::min(lo, b.get_f64(i)), hi = std::max(hi, b.get_f64(i));
  const double d = max_abs_diff(a, b);
  int64_t agree = 0, rows = a.rank() == 2 ? a.dim(0) : 0;
  for (int64_t k = 0; k < rows; ++k) agree += coda::datasets::argmax_row(a, k) == coda::datasets::argmax_row(b, k);
  std::printf("[ort-quant] %-28s whole model max|coda-ort| = %.3g (range %.3g)", label.c_str(), d, hi - lo);
  if (rows) std::printf(", argmax agrees on %lld/%lld", (long long)agree, (long long)rows);
  std::printf("\n");
  EXPECT_LE(d, 0.05 * (hi - lo)) << label;
  if (rows) {
    EXPECT_GE(agree, 0.97 * rows) << label;
  }

  // Layer by layer, on the activations coda computed.
  double worst = 0;
  int checked = 0, integer_layers = 0;
  for (const quant::LayerReport& l : r.layers) {
    if (l.method == "skip" || l.method == "fp32") continue;
    std::vector<std::string> boundary;
    graph::Graph s = cut_layer(r.graph, l.name, boundary);
    graph::Graph probe = r.graph;
    probe.mutable_outputs().clear();
    for (const auto& v : boundary) probe.mark_output(probe.find(v));
    std::vector<Tensor> acts = coda::exec::Executor(probe, {.threads = 2}).run(inputs);
    std::string cut_label = label + "_layer" + std::to_string(checked);
    fs::path cut_dir = scratch(cut_label);
    fs::path cut_file = cut_dir / "layer.onnx";
    coda::onnx::export_file(s, cut_file.string());
    Tensor mine = coda::exec::Executor(coda::onnx::import_file(cut_file.string()), {.threads = 2}).run(acts).at(0);
    std::vector<Tensor> ort = run_ort(cut_file, acts, boundary, cut_dir);
    ASSERT_EQ(ort.size(), 1u) << cut_label;
    const double dl = max_abs_diff(mine, ort[0]);
    worst = std::max(worst, dl);
    double mag = 1;
    for (int64_t i = 0; i < ort[0].numel(); ++i) mag = std::max(mag, std::fabs(ort[0].get_f64(i)));
    if (l.qlinear) {  // integer layers: identical integers, so identical dequantized floats
      EXPECT_EQ(dl, 0.0) << label << " layer " << l.name;
      ++integer_layers;
    } else {
      EXPECT_LE(dl, 1e-5 * mag) << label << " layer " << l.name;
    }
    ++checked;
  }
  std::printf("[ort-quant] %-28s %d layers (%d QLinear), worst max|coda-ort| = %.3g\n", label.c_str(), checked,
              integer_layers, worst);
  EXPECT_GT(checked, 0);
  if (cfg.qlinear) {  // every layer with a weight (activation x activation MatMuls stay QDQ)
    int weighted = 0;
    for (const auto& l : r.layers) weighted += l.method != "static" && l.method != "skip" && l.method != "fp32";
    EXPECT_EQ(integer_layers, weighted) << label;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, QuantOrt,
                         ::testing::Combine(::testing::Values("cnn", "mlp", "vit", "decoder", "gcn"),
                                            ::testing::ValuesIn(kConfigs)),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" + std::get<1>(info.param).label;
                         });

}  // namespace
