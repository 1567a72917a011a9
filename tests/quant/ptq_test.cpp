// quantize_model on small hand-built graphs and on the fixtures: the nodes it adds compute exactly
// what the library's quantizers compute (dynamic per-row, static QDQ, weight formats in every
// layout), SmoothQuant helps where activations have outlier channels, GPTQ lowers every layer's
// output error, plans and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "coda/core/error.h"
#include "coda/exec/executor.h"
#include "coda/graph/graph.h"
#include "coda/onnx/import.h"
#include "coda/quant/dynamic_quant.h"
#include "coda/quant/plan.h"
#include "coda/quant/ptq.h"
#include "coda/quant/quantize.h"

namespace coda::quant {
namespace {

using graph::Graph;
using graph::OpKind;

Tensor random_tensor(Shape s, uint32_t seed, float scale = 1.f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.f, scale);
  Tensor t(DType::f32, std::move(s));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = nd(rng);
  return t;
}

// x [N, T, C] -> MatMul(W [C, O]) -> y
Graph matmul_graph(const Tensor& w, int64_t t, int64_t c) {
  Graph g("mm");
  auto x = g.add_input("x", DType::f32, {-1, t, c});
  auto wv = g.add_constant("w", w);
  auto y = g.add_value("y");
  g.add_node(OpKind::MatMul, "mm", {x, wv}, {y});
  g.mark_output(y);
  exec::prepare(g);
  return g;
}

Calibration one_batch(const Tensor& x) {
  Calibration c;
  c.batches.push_back({{"x", x}});
  c.samples = x.dim(0);
  return c;
}

// The value feeding input k of node `name`, computed by running g on x.
Tensor layer_input(const Graph& g, const std::string& name, const Tensor& x, size_t k = 0) {
  Graph probe = g;
  for (const auto& n : probe.nodes())
    if (n.name == name) {
      probe.mutable_outputs() = {n.inputs.at(k)};
      break;
    }
  return exec::Executor(probe, {.threads = 1}).run(std::vector<Tensor>{x}).at(0);
}

void expect_bits_equal(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  int64_t bad = 0;
  for (int64_t i = 0; i < a.numel(); ++i) bad += a.data<float>()[i] != b.data<float>()[i];
  EXPECT_EQ(bad, 0) << "of " << a.numel();
}

// Same dtype, shape and bytes.
void expect_same_bytes(const Tensor& a, const Tensor& b, const std::string& what) {
  ASSERT_EQ(a.dtype(), b.dtype()) << what;
  ASSERT_EQ(a.shape(), b.shape()) << what;
  const Tensor ca = a.clone(), cb = b.clone();
  EXPECT_EQ(std::memcmp(ca.raw(), cb.raw(), ca.nbytes()), 0) << what;
}

TEST(Ptq, DynamicActivationSubgraphEqualsLibraryQuantizer) {
  Tensor x = random_tensor({3, 5, 8}, 1);
  float* d = x.data<float>();
  for (int j = 0; j < 8; ++j) d[j] = 0.f;                 // an all-zero row: ESCA's [-1, 1] range
  for (int j = 0; j < 8; ++j) d[8 + j] = 0.25f * (j + 1);  // an all-positive row
  Graph g = matmul_graph(random_tensor({8, 4}, 2), 5, 8);
  for (const char* acts : {"uint4", "int4", "uint8", "int3"}) {
    PtqOptions o;
    o.weights = parse_format("int8/ch");
    o.acts = parse_format(acts);
    o.act_mode = ActMode::Dynamic;
    o.clip_ratio = 0.9f;
    PtqResult r = quantize_model(g, one_batch(x), o);
    const NumberFormat f = parse_format(acts);
    SCOPED_TRACE(acts);
    expect_bits_equal(layer_input(r.graph, "mm", x), quantize_dynamic_per_row(x, f.bits, 0.9f, f.asymmetric));
    // On other data than it was calibrated with too: the ranges are per call.
    Tensor x2 = random_tensor({2, 5, 8}, 9, 3.f);
    expect_bits_equal(layer_input(r.graph, "mm", x2), quantize_dynamic_per_row(x2, f.bits, 0.9f, f.asymmetric));
  }
}

TEST(Ptq, StaticActivationsEqualFakeQuantizeWithCalibratedRange) {
  Tensor x = random_tensor({4, 5, 8}, 3);
  Graph g = matmul_graph(random_tensor({8, 4}, 4), 5, 8);
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < x.numel(); ++i) lo = std::min(lo, x.data<float>()[i]), hi = std::max(hi, x.data<float>()[i]);
  for (const char* acts : {"uint8", "int8", "uint4", "int4", "int2"}) {
    SCOPED_TRACE(acts);
    PtqOptions o;
    o.acts = parse_format(acts);
    PtqResult r = quantize_model(g, one_batch(x), o);
    const NumberFormat f = parse_format(acts);
    QuantParams p = choose_params(f, lo, hi);
    expect_bits_equal(layer_input(r.graph, "mm", x), fake_quantize(x, f, p));
    // Outside the calibrated range the codes saturate at the format's limits (symmetric int8: -127, not -128).
    Tensor wide = random_tensor({2, 5, 8}, 5, 4.f);
    expect_bits_equal(layer_input(r.graph, "mm", wide), fake_quantize(wide, f, p));
  }
}

// A float graph computing y = layer(x) with the weight replaced.
Tensor run_with_weight(Graph g, const std::string& wname, const Tensor& w, const Tensor& x) {
  g.value(g.find(wname)).constant = w;
  exec::prepare(g);
  return exec::Executor(g, {.threads = 1}).run(std::vector<Tensor>{x}).at(0);
}

TEST(Ptq, WeightsInEveryLayoutEqualFakeQuantize) {
  // MatMul [in, out]: channels along axis 1, groups along axis 0.
  Tensor w = random_tensor({8, 4}, 6);
  Tensor x = random_tensor({2, 5, 8}, 7);
  Graph g = matmul_graph(w, 5, 8);
  for (auto [name, independent] : std::vector<std::pair<const char*, NumberFormat>>{
           {"int4/ch", NumberFormat::int_format(4).per_channel(1)},
           {"int4/g4", NumberFormat::int_format(4).per_group(4, 0)},
           {"int3", NumberFormat::int_format(3)},
           {"uint4/ch", NumberFormat::int_format(4, true).per_channel(1)},
           {"fp8e4m3", parse_format("fp8e4m3")}}) {
    SCOPED_TRACE(name);
    PtqOptions o;
    o.weights = parse_format(name);
    o.acts = std::nullopt;
    PtqResult r = quantize_model(g, one_batch(x), o);
    Tensor got = exec::Executor(r.graph, {.threads = 1}).run(std::vector<Tensor>{x}).at(0);
    expect_bits_equal(got, run_with_weight(g, "w", fake_quantize(w, independent), x));
  }
  // Gemm with transB = 1 ([out, in]) and a Conv ([K, C, kh, kw]): channels along axis 0.
  Graph gemm("gemm");
  Tensor wg = random_tensor({6, 8}, 8);
  {
    auto xi = gemm.add_input("x", DType::f32, {-1, 8});
    auto wv = gemm.add_constant("w", wg);
    auto y = gemm.add_value("y");
    gemm.add_node(OpKind::Gemm, "fc", {xi, wv}, {y}, {{"transB", graph::Attribute(int64_t{1})}});
    gemm.mark_output(y);
    exec::prepare(gemm);
  }
  Tensor xg = random_tensor({3, 8}, 10);
  PtqOptions o;
  o.weights = parse_format("int4/ch");
  o.acts = std::nullopt;
  PtqResult rg = quantize_model(gemm, one_batch(xg), o);
  expect_bits_equal(exec::Executor(rg.graph, {.threads = 1}).run(std::vector<Tensor>{xg}).at(0),
                    run_with_weight(gemm, "w", fake_quantize(wg, NumberFormat::int_format(4).per_channel(0)), xg));
  Graph conv("conv");
  Tensor wc = random_tensor({4, 3, 3, 3}, 11);
  {
    auto xi = conv.add_input("x", DType::f32, {-1, 3, 6, 6});
    auto wv = conv.add_constant("w", wc);
    auto y = conv.add_value("y");
    conv.add_node(OpKind::Conv, "conv", {xi, wv}, {y}, {{"pads", graph::Attribute(std::vector<int64_t>{1, 1, 1, 1})}});
    conv.mark_output(y);
    exec::prepare(conv);
  }
  Tensor xc = random_tensor({2, 3, 6, 6}, 12);
  PtqResult rc = quantize_model(conv, one_batch(xc), o);
  expect_bits_equal(exec::Executor(rc.graph, {.threads = 1}).run(std::vector<Tensor>{xc}).at(0),
                    run_with_weight(conv, "w", fake_quantize(wc, NumberFormat::int_format(4).per_channel(0)), xc));
}

double rel_error(const Tensor& a, const Tensor& b) {
  double num = 0, den = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double d = a.get_f64(i) - b.get_f64(i);
    num += d * d;
    den += b.get_f64(i) * b.get_f64(i);
  }
  return std::sqrt(num / den);
}

TEST(Ptq, SmoothQuantBeatsRtnWhenActivationsHaveOutlierChannels) {
  // Channel 3 of the activations is 60x larger than the rest and its weights 60x smaller, so that
  // every channel matters to the output (SmoothQuant's motivating case): per-tensor activation
  // scales set by channel 3 flatten the others, unless the range moves into the weights.
  Tensor x = random_tensor({16, 5, 8}, 13);
  for (int64_t r = 0; r < 16 * 5; ++r) x.data<float>()[r * 8 + 3] *= 60.f;
  Tensor w = random_tensor({8, 4}, 14);
  for (int64_t j = 0; j < 4; ++j) w.data<float>()[3 * 4 + j] /= 60.f;
  Graph g = matmul_graph(w, 5, 8);
  Tensor ref = exec::Executor(g, {.threads = 1}).run(std::vector<Tensor>{x}).at(0);
  PtqOptions o;
  o.weights = parse_format("int8/ch");
  o.acts = parse_format("int4");
  o.method = PtqMethod::Rtn;
  const double rtn = rel_error(exec::Executor(quantize_model(g, one_batch(x), o).graph, {.threads = 1}).run(std::vector<Tensor>{x}).at(0), ref);
  o.method = PtqMethod::SmoothQuant;
  PtqResult sq = quantize_model(g, one_batch(x), o);
  const double smooth = rel_error(exec::Executor(sq.graph, {.threads = 1}).run(std::vector<Tensor>{x}).at(0), ref);
  EXPECT_EQ(sq.layers.at(0).smoothed_channels, 8);
  EXPECT_LT(smooth, 0.7 * rtn) << "rtn " << rtn << " smoothquant " << smooth;
  // With float activations smoothing is not applied (it would only make the weights harder).
  o.acts = std::nullopt;
  EXPECT_EQ(quantize_model(g, one_batch(x), o).layers.at(0).smoothed_channels, 0);
}

TEST(Ptq, GptqLowersEveryLayersErrorOnTheCnnFixture) {
  Graph g = onnx::import_file(std::string(CODA_SOURCE_DIR) + "/models/cnn.onnx");
  exec::prepare(g);
  EvalOptions eo;
  eo.threads = 2;
  Calibration c = calibration_inputs(g, eo, 32);
  PtqOptions o;
  o.method = PtqMethod::Gptq;
  o.weights = parse_format("int4/ch");
  o.acts = std::nullopt;
  PtqResult r = quantize_model(g, c, o);
  ASSERT_EQ(r.layers.size(), 4u);
  for (const auto& l : r.layers) {
    SCOPED_TRACE(l.name);
    EXPECT_EQ(l.method, "gptq");
    EXPECT_GT(l.error_rtn, 0);
    EXPECT_LT(l.error_gptq, l.error_rtn);
  }
}

// Calibration activations kept from earlier layers (the default) against rerunning the model's prefix
// for every layer: every method and activation mode, on the fixtures with residual adds and
// activation x activation MatMuls (vit), sub-pixel convolutions (decoder), two inputs (gcn) and the
// plain CNN.
TEST(Ptq, ReusedActivationsAreBitIdentical) {
  struct Case {
    std::string model, method, weights, acts;
    bool qlinear = false;
  };
  const std::vector<Case> cases{
      {"vit", "rtn", "int4/ch", "int8"},         {"vit", "gptq", "int4/ch", "int8"},
      {"vit", "smoothquant", "int8/ch", "int4"}, {"cnn", "rtn", "int8/ch", "int8", true},
      {"cnn", "esca", "int4/ch", "int8"},        {"decoder", "esca", "int4/ch", "int4"},
      {"gcn", "gptq", "int4/ch", "int8"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.model + " " + k.method + " " + k.weights + " " + k.acts);
    Graph g = onnx::import_file(std::string(CODA_SOURCE_DIR) + "/models/" + k.model + ".onnx");
    exec::prepare(g);
    EvalOptions eo;
    eo.threads = 2;
    eo.batch = 8;  // several batches
    if (k.model == "decoder") eo.encoder = onnx::import_file(std::string(CODA_SOURCE_DIR) + "/models/encoder.onnx");
    Calibration c = calibration_inputs(g, eo, 24);
    ASSERT_GE(c.batches.size(), k.model == "gcn" ? 1u : 3u);
    PtqOptions o;
    o.method = parse_method(k.method);
    o.weights = parse_format(k.weights);
    o.acts = parse_format(k.acts);
    o.qlinear = k.qlinear;
    o.threads = 2;
    PtqResult fresh = quantize_model(g, c, o);
    o.reuse_activations = false;
    PtqResult rerun = quantize_model(g, c, o);
    ASSERT_EQ(fresh.layers.size(), rerun.layers.size());
    for (size_t i = 0; i < fresh.layers.size(); ++i) {
      EXPECT_EQ(fresh.layers[i].acts, rerun.layers[i].acts);
      EXPECT_EQ(fresh.layers[i].smoothed_channels, rerun.layers[i].smoothed_channels);
      EXPECT_EQ(fresh.layers[i].error_gptq, rerun.layers[i].error_gptq) << fresh.layers[i].name;
    }
    ASSERT_EQ(fresh.graph.num_values(), rerun.graph.num_values());
    for (graph::ValueId v = 0; v < static_cast<graph::ValueId>(fresh.graph.num_values()); ++v) {
      const auto& a = fresh.graph.value(v);
      const auto& b = rerun.graph.value(v);
      ASSERT_EQ(a.name, b.name);
      ASSERT_EQ(a.is_constant(), b.is_constant()) << a.name;
      if (a.is_constant()) expect_same_bytes(*a.constant, *b.constant, a.name);
    }
    exec::Executor ea(fresh.graph, {.threads = 2}), eb(rerun.graph, {.threads = 2});
    const auto ya = ea.run(c.batches.back()), yb = eb.run(c.batches.back());
    ASSERT_EQ(ya.size(), yb.size());
    for (size_t i = 0; i < ya.size(); ++i) expect_same_bytes(ya[i], yb[i], "output " + std::to_string(i));
  }
}

TEST(Ptq, PlansSetPerLayerFormatsAndSkip) {
  Tensor x = random_tensor({2, 5, 8}, 15);
  Graph g = matmul_graph(random_tensor({8, 4}, 16), 5, 8);
  PtqOptions o;
  apply_plan_text("method: smoothquant\nweights: int4/g4\nacts: uint4\nlayers:\n  mm: {weights: int8/ch, acts: none}\n",
                  "plan.yaml", o);
  EXPECT_EQ(o.method, PtqMethod::SmoothQuant);
  EXPECT_EQ(o.weights, parse_format("int4/g4"));
  PtqResult r = quantize_model(g, one_batch(x), o);
  EXPECT_EQ(r.layers.at(0).weights, "int8/ch");
  EXPECT_EQ(r.layers.at(0).acts, "fp32");
  PtqOptions skip;
  apply_plan_text("layers:\n  mm: skip\n", "plan.yaml", skip);
  PtqResult rs = quantize_model(g, one_batch(x), skip);
  EXPECT_EQ(rs.layers.at(0).method, "skip");
  expect_bits_equal(exec::Executor(rs.graph, {.threads = 1}).run(std::vector<Tensor>{x}).at(0),
                    exec::Executor(g, {.threads = 1}).run(std::vector<Tensor>{x}).at(0));
}

TEST(Ptq, BadInputRaisesOneLineErrors) {
  Tensor x = random_tensor({2, 5, 8}, 17);
  Graph g = matmul_graph(random_tensor({8, 4}, 18), 5, 8);
  PtqOptions o;
  o.layers["no_such_layer"] = LayerSetting{};
  EXPECT_THROW(quantize_model(g, one_batch(x), o), InvalidError);
  PtqOptions wrong;
  EXPECT_THROW(quantize_model(g, one_batch(random_tensor({2, 5, 7}, 19)), wrong), InvalidError);  // calibration shape
  PtqOptions wide;
  wide.acts = parse_format("int12");  // static activations: 2..8 bits
  EXPECT_THROW(quantize_model(g, one_batch(x), wide), InvalidError);
  EXPECT_THROW(parse_method("awq"), InvalidError);
  EXPECT_THROW(parse_format("int17"), Error);
  PtqOptions p;
  try {
    apply_plan_text("method: gptq\nlayres: {}\n", "plan.yaml", p);
    ADD_FAILURE() << "no error";
  } catch (const InvalidError& e) {
    EXPECT_NE(std::string(e.what()).find("plan.yaml:2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(apply_plan_text("layers:\n  mm: {weights: int99}\n", "plan.yaml", p), Error);
  EXPECT_THROW(apply_plan_text("layers: [1, 2\n", "plan.yaml", p), ParseError);
}

TEST(Ptq, CalibrationWithoutAnInputTheLayerNeedsIsAOneLineError) {
  // (x + y) -> MatMul(W): batches that give x alone cannot calibrate the layer.
  Graph g("two_inputs");
  auto x = g.add_input("x", DType::f32, {-1, 8});
  auto y = g.add_input("y", DType::f32, {-1, 8});
  auto w = g.add_constant("w", random_tensor({8, 4}, 21));
  auto sum = g.add_value("sum"), out = g.add_value("out");
  g.add_node(OpKind::Add, "add", {x, y}, {sum});
  g.add_node(OpKind::MatMul, "mm", {sum, w}, {out});
  g.mark_output(out);
  exec::prepare(g);
  try {
    quantize_model(g, one_batch(random_tensor({2, 8}, 22)), PtqOptions{});
    ADD_FAILURE() << "no error";
  } catch (const InvalidError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("input 'y' is not given"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

TEST(Ptq, EscaImportanceMapIsFrequencyTimesCentreWeight) {
  // Two 1x4x4 images: pixel (0,0) is non-zero in one image, pixel (1,1) in both.
  Tensor img(DType::f32, {2, 1, 4, 4});
  img.data<float>()[0] = 0.5f;
  img.data<float>()[5] = 1.f;
  img.data<float>()[16 + 5] = 1.f;
  Tensor m = esca_importance_map(img);
  // Gaussian with sigma 1 around (1.5, 1.5): pixel (1,1) is at squared distance 0.5, (0,0) at 4.5.
  const double c11 = std::exp(-0.5 / 2), c00 = std::exp(-4.5 / 2);
  EXPECT_FLOAT_EQ(m.data<float>()[5], 1.f);  // the maximum
  EXPECT_NEAR(m.data<float>()[0], 0.5 * c00 / c11, 1e-6);
  EXPECT_EQ(m.data<float>()[1], 0.f);  // never non-zero
}

}  // namespace
}  // namespace coda::quant
