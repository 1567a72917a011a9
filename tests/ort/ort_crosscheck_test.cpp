// Cross-checks coda's executor against ONNX Runtime (optimisations disabled) on every fixture model
// and on zoo models exported to ONNX: max |coda - ORT| <= 1e-4 on every output element.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "coda/core/npy.h"
#include "ort_util.h"
#include "coda/exec/executor.h"
#include "coda/onnx/export.h"
#include "coda/onnx/import.h"
#include "coda/zoo/zoo.h"

using coda::Tensor;
using namespace coda::test;

namespace {

void compare(const fs::path& model, const std::vector<Tensor>& inputs, const std::string& label) {
  coda::exec::Executor ex(coda::onnx::import_file(model.string()), {.threads = 2});
  auto names = ex.input_names();
  ASSERT_EQ(names.size(), inputs.size()) << label;
  std::vector<Tensor> ours = ex.run(inputs);
  std::vector<Tensor> theirs = run_ort(model, inputs, names, scratch(label));
  ASSERT_EQ(ours.size(), theirs.size()) << label;
  for (size_t k = 0; k < ours.size(); ++k) {
    double d = max_abs_diff(ours[k], theirs[k]);
    EXPECT_LE(d, 1e-4) << label << " output " << k;
    std::printf("[ort] %-28s output %zu %-16s max|coda-ort| = %.3g\n", label.c_str(), k,
                coda::shape_str(ours[k].shape()).c_str(), d);
  }
}

// Seeded inputs for a graph's runtime inputs (unknown dims = 2; integer inputs in [0, 100)).
std::vector<Tensor> random_inputs(const coda::graph::Graph& g, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Tensor> r;
  for (auto id : g.inputs()) {
    const auto& v = g.value(id);
    if (v.is_constant()) continue;
    coda::Shape s = v.shape;
    for (auto& d : s)
      if (d < 0) d = 2;
    Tensor t(v.dtype, s);
    if (v.dtype == coda::DType::f32) {
      std::normal_distribution<float> nd(0.f, 1.f);
      for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = nd(rng);
    } else if (v.dtype == coda::DType::i64) {
      for (int64_t i = 0; i < t.numel(); ++i) t.data<int64_t>()[i] = static_cast<int64_t>(rng() % 100);
    }
    r.push_back(t);
  }
  return r;
}

class Fixture : public ::testing::TestWithParam<std::string> {};

TEST_P(Fixture, MatchesOnnxRuntime) {
  std::string name = GetParam();
  fs::path model = kSrc / "models" / (name + ".onnx");
  std::vector<Tensor> inputs;
  if (name == "gcn") {
    inputs = {coda::read_npy((kSrc / "models/samples/gcn_features.npy").string()),
              coda::read_npy((kSrc / "models/samples/gcn_adjacency.npy").string())};
  } else {
    inputs = {coda::read_npy((kSrc / "models/samples" / (name + "_input.npy")).string())};
  }
  compare(model, inputs, name);
}

INSTANTIATE_TEST_SUITE_P(Ort, Fixture, ::testing::Values("cnn", "mlp", "vit", "encoder", "decoder", "gcn"));

class Zoo : public ::testing::TestWithParam<std::string> {};

TEST_P(Zoo, ExportedModelMatchesOnnxRuntime) {
  std::string spec = GetParam();
  coda::graph::Graph g = coda::zoo::build_spec(spec);
  std::string label = spec.substr(4);  // one scratch folder per spec
  for (char& ch : label)
    if (ch == '?' || ch == '&' || ch == '=') ch = '_';
  fs::path file = scratch(label) / "model.onnx";
  coda::onnx::export_file(g, file.string());
  compare(file, random_inputs(g, 7), label);
}

INSTANTIATE_TEST_SUITE_P(Ort, Zoo,
                         ::testing::Values("zoo:resnet18", "zoo:bert-base?layers=2&seq=32", "zoo:mobilenetv2",
                                           "zoo:vit-b16?layers=1", "zoo:gpt2?layers=2&seq=16&mode=decode",
                                           "zoo:gpt2?layers=1&seq=16&mode=prefill", "zoo:cnn", "zoo:vit", "zoo:decoder",
                                           "zoo:gcn?nodes=40"));

}  // namespace
