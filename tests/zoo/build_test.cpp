// Every zoo model: verifies, its builder shapes equal graph::infer_shapes', its weights are
// deterministic per seed, and its parameter count equals a closed form or the published figure.
#include <gtest/gtest.h>

#include <cstring>

#include "coda/graph/infer.h"
#include "coda/workload/extract.h"
#include "coda/zoo/zoo.h"

namespace coda::zoo {
namespace {

// Small variants of every model (the transformers with fewer layers / shorter sequences).
const char* kSpecs[] = {"zoo:resnet18", "zoo:resnet50", "zoo:mobilenetv2", "zoo:bert-base?layers=2&seq=16",
                        "zoo:vit-b16?layers=2", "zoo:gpt2?layers=2&seq=8&vocab=300",
                        "zoo:gpt2?layers=2&seq=8&vocab=300&mode=decode", "zoo:cnn?batch=3", "zoo:mlp?batch=2",
                        "zoo:vit?batch=2", "zoo:decoder?batch=2", "zoo:gcn?nodes=50"};

class EveryModel : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryModel, VerifiesAndItsShapesMatchShapeInference) {
  graph::Graph g = build_spec(GetParam());
  ASSERT_NO_THROW(graph::verify(g));
  graph::Graph re = g;
  std::vector<bool> is_input(re.num_values(), false);
  for (graph::ValueId v : re.inputs()) is_input[static_cast<size_t>(v)] = true;
  for (size_t v = 0; v < re.num_values(); ++v) {
    graph::Value& val = re.value(static_cast<graph::ValueId>(v));
    if (is_input[v] || val.is_constant()) continue;
    val.shape.clear();
    val.shape_known = false;
    val.dtype = DType::undefined;
  }
  graph::infer_shapes(re);
  for (const graph::Node& n : g.nodes())
    for (graph::ValueId o : n.outputs) {
      const graph::Value &built = g.value(o), &inferred = re.value(o);
      ASSERT_TRUE(built.fully_static()) << n.name;
      EXPECT_TRUE(inferred.shape_known) << n.name;
      EXPECT_EQ(shape_str(inferred.shape), shape_str(built.shape)) << n.name;
      EXPECT_EQ(inferred.dtype, built.dtype) << n.name;
    }
}

INSTANTIATE_TEST_SUITE_P(Zoo, EveryModel, ::testing::ValuesIn(kSpecs));

// All constants of two graphs are bit-identical.
bool same_weights(const graph::Graph& a, const graph::Graph& b) {
  if (a.num_values() != b.num_values()) return false;
  for (size_t v = 0; v < a.num_values(); ++v) {
    const graph::Value &x = a.value(static_cast<graph::ValueId>(v)), &y = b.value(static_cast<graph::ValueId>(v));
    if (x.is_constant() != y.is_constant() || x.name != y.name) return false;
    if (x.is_constant() && (x.constant->nbytes() != y.constant->nbytes() ||
                            std::memcmp(x.constant->raw(), y.constant->raw(), x.constant->nbytes()) != 0))
      return false;
  }
  return true;
}

TEST(ZooWeights, SameSeedSameBitsOtherSeedOtherBits) {
  EXPECT_TRUE(same_weights(build("resnet18"), build("resnet18", {{"seed", "0"}})));
  EXPECT_FALSE(same_weights(build("resnet18"), build("resnet18", {{"seed", "1"}})));
  EXPECT_TRUE(same_weights(build_spec("zoo:vit?seed=7"), build_spec("zoo:vit?seed=7")));
}

TEST(ZooWeights, LayerWeightsDoNotDependOnDepth) {
  graph::Graph one = build_spec("zoo:bert-base?layers=1&seq=8"), two = build_spec("zoo:bert-base?layers=2&seq=8");
  const Tensor& w1 = *one.value(one.find("layers.0.attn.q.weight")).constant;
  const Tensor& w2 = *two.value(two.find("layers.0.attn.q.weight")).constant;
  ASSERT_EQ(w1.nbytes(), w2.nbytes());
  EXPECT_EQ(std::memcmp(w1.raw(), w2.raw(), w1.nbytes()), 0);
}

TEST(ZooWeights, HeScaleAndBatchNormStats) {
  graph::Graph g = build("resnet18");
  const Tensor& w = *g.value(g.find("layer1.0.conv1.weight")).constant;  // fan_in 64*3*3
  double sq = 0;
  for (float v : w.to_f32_vector()) sq += static_cast<double>(v) * v;
  EXPECT_NEAR(sq / static_cast<double>(w.numel()), 2.0 / 576.0, 0.05 * 2.0 / 576.0);
  for (float v : g.value(g.find("bn1.running_var")).constant->to_f32_vector()) {
    EXPECT_GE(v, 1.5f);
    EXPECT_LT(v, 2.5f);
  }
}

int64_t param_count(const std::string& spec) {
  graph::Graph g = build_spec(spec);
  return workload::totals(workload::extract(g)).params;
}

// Closed forms: conv k*k*cin*cout + cout, linear in*out + out, LayerNorm 2*d.
TEST(ZooParams, FixturesMatchTheirArchitectures) {
  EXPECT_EQ(param_count("zoo:cnn"), (9 * 1 * 32 + 32) + (9 * 32 * 64 + 64) + (3136 * 128 + 128) + (128 * 10 + 10));
  EXPECT_EQ(param_count("zoo:mlp"), (784 * 256 + 256) + (256 * 256 + 256) + (256 * 10 + 10));
  const int64_t vit_layer = 2 * 64 + 4 * (64 * 64 + 64) + 2 * 64 + (64 * 128 + 128) + (128 * 64 + 64);
  EXPECT_EQ(param_count("zoo:vit"), (49 * 64 + 64) + 16 * 64 + 4 * vit_layer + 2 * 64 + (64 * 10 + 10));
  EXPECT_EQ(param_count("zoo:decoder"), (32 * 3136 + 3136) + (64 * 32 * 16 + 32) + (32 * 1 * 16 + 1));
  EXPECT_EQ(param_count("zoo:gcn?nodes=20"), (64 * 64 + 64) + (64 * 10 + 10));
}

// Published parameter counts: torchvision (resnet18 11,689,512; resnet50 25,557,032; mobilenet_v2
// 3,504,872), timm vit_base_patch16_224 (86,567,656), Hugging Face gpt2 (124,439,808).
TEST(ZooParams, FullModelsMatchPublishedCounts) {
  EXPECT_EQ(param_count("zoo:resnet18"), 11689512);
  EXPECT_EQ(param_count("zoo:resnet50"), 25557032);
  EXPECT_EQ(param_count("zoo:mobilenetv2"), 3504872);
  EXPECT_EQ(param_count("zoo:vit-b16"), 86567656);
  EXPECT_EQ(param_count("zoo:gpt2?seq=4"), 124439808);
  // BERT-base encoder without embeddings and pooler: 12 * (4 (768^2 + 768) + 2 * 768 * 3072 + 3072 + 768 + 4 * 768).
  EXPECT_EQ(param_count("zoo:bert-base?seq=4"), 12 * (4 * (768 * 768 + 768) + 2 * 768 * 3072 + 3072 + 768 + 4 * 768));
}

}  // namespace
}  // namespace coda::zoo
