// The small zoo models run on exec::Executor with finite, non-constant outputs of the built shapes;
// GPT-2's decode step over a KV cache reproduces the prefill of the longer sequence.
#include <gtest/gtest.h>

#include <cmath>

#include "coda/exec/executor.h"
#include "coda/zoo/random_init.h"
#include "coda/zoo/zoo.h"

namespace coda::zoo {
namespace {

// Inputs for every runtime input of g: floats U(-1, 1) (an adjacency U(0, 2/n)), token ids in [0, 100).
std::vector<Tensor> random_inputs(const graph::Graph& g, uint64_t seed) {
  std::vector<Tensor> out;
  for (graph::ValueId id : g.inputs()) {
    const graph::Value& v = g.value(id);
    if (v.is_constant()) continue;
    if (v.dtype == DType::i64) {
      Tensor u = uniform_tensor(v.shape, 0.0f, 100.0f, seed, v.name);
      out.push_back(u.cast(DType::i64));
    } else if (v.name == "adjacency") {
      out.push_back(uniform_tensor(v.shape, 0.0f, 2.0f / static_cast<float>(v.shape[0]), seed, v.name));
    } else {
      out.push_back(uniform_tensor(v.shape, -1.0f, 1.0f, seed, v.name));
    }
  }
  return out;
}

class Model : public ::testing::TestWithParam<const char*> {};

// Small models and small variants, plus the full CNNs and transformers (whose random weights must
// keep activations finite through every layer).
TEST_P(Model, RunsWithFiniteOutputsOfTheBuiltShape) {
  graph::Graph g = build_spec(GetParam());
  std::vector<Shape> shapes;
  for (graph::ValueId o : g.outputs()) shapes.push_back(g.value(o).shape);
  std::vector<Tensor> inputs = random_inputs(g, 1);
  exec::Executor ex(std::move(g), {.threads = 1});
  std::vector<Tensor> outs = ex.run(inputs);
  ASSERT_EQ(outs.size(), shapes.size());
  for (size_t i = 0; i < outs.size(); ++i) {
    EXPECT_EQ(shape_str(outs[i].shape()), shape_str(shapes[i])) << "output " << i;
    std::vector<float> v = outs[i].to_f32_vector();
    float lo = v.at(0), hi = v.at(0);
    for (float x : v) {
      ASSERT_TRUE(std::isfinite(x)) << "output " << i;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
    EXPECT_LT(lo, hi) << "output " << i << " is constant";
  }
}

INSTANTIATE_TEST_SUITE_P(Zoo, Model,
                         ::testing::Values("zoo:cnn?batch=2", "zoo:mlp?batch=2", "zoo:vit?batch=2", "zoo:decoder?batch=2",
                                           "zoo:gcn?nodes=50", "zoo:bert-base?layers=1&seq=8",
                                           "zoo:vit-b16?layers=1&hidden=64&heads=4&ffn=128&classes=10",
                                           "zoo:gpt2?layers=2&seq=8&vocab=100",
                                           "zoo:gpt2?layers=2&seq=8&vocab=100&mode=decode", "zoo:resnet18",
                                           "zoo:resnet50", "zoo:mobilenetv2", "zoo:vit-b16", "zoo:bert-base?seq=64",
                                           "zoo:gpt2?mode=decode&seq=32"));

// [1, T, V] -> the V logits of token T-1.
std::vector<float> last_token(const Tensor& logits) {
  std::vector<float> all = logits.to_f32_vector();
  return std::vector<float>(all.end() - logits.dim(2), all.end());
}

TEST(Gpt2, DecodeOverTheCacheEqualsPrefillOfTheLongerSequence) {
  const std::string common = "&layers=2&vocab=100&seed=3";
  std::vector<int64_t> ids{5, 17, 42, 8, 99, 0, 63, 21, 7};
  exec::Executor prefill8(build_spec("zoo:gpt2?seq=8" + common), {.threads = 1});
  exec::Executor prefill9(build_spec("zoo:gpt2?seq=9" + common), {.threads = 1});
  exec::Executor decode(build_spec("zoo:gpt2?mode=decode&seq=8" + common), {.threads = 1});

  std::vector<Tensor> first = prefill8.run({Tensor::from_vector<int64_t>({ids.begin(), ids.begin() + 8}, {1, 8})});
  std::vector<Tensor> step_in{Tensor::from_vector<int64_t>({ids[8]}, {1, 1})};
  step_in.insert(step_in.end(), first.begin() + 1, first.end());  // past.<i>.key/value in input order
  std::vector<Tensor> step = decode.run(step_in);
  std::vector<Tensor> full = prefill9.run({Tensor::from_vector<int64_t>(ids, {1, 9})});

  std::vector<float> a = last_token(step[0]), b = last_token(full[0]);
  ASSERT_EQ(a.size(), 100u);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-4f) << i;
  // The decode step's present cache is the longer prefill's.
  std::vector<float> k_step = step[1].to_f32_vector(), k_full = full[1].to_f32_vector();
  ASSERT_EQ(k_step.size(), k_full.size());
  for (size_t i = 0; i < k_step.size(); ++i) ASSERT_NEAR(k_step[i], k_full[i], 1e-5f) << i;
}

TEST(Gpt2, PrefillIsCausal) {
  exec::Executor ex(build_spec("zoo:gpt2?seq=6&layers=1&vocab=50"), {.threads = 1});
  std::vector<Tensor> a = ex.run({Tensor::from_vector<int64_t>({1, 2, 3, 4, 5, 6}, {1, 6})});
  std::vector<Tensor> b = ex.run({Tensor::from_vector<int64_t>({1, 2, 3, 4, 9, 9}, {1, 6})});
  std::vector<float> la = a[0].to_f32_vector(), lb = b[0].to_f32_vector();
  for (size_t i = 0; i < 4 * 50; ++i) EXPECT_FLOAT_EQ(la[i], lb[i]) << i;      // tokens 0..3 unchanged
  double diff = 0;
  for (size_t i = 4 * 50; i < la.size(); ++i) diff += std::abs(la[i] - lb[i]);  // tokens 4..5 change
  EXPECT_GT(diff, 1e-3);
}

}  // namespace
}  // namespace coda::zoo
