// Structured channel pruning: which groups are found in the fixtures, and that a pruned model
// computes exactly what the original computes with the dropped channels zeroed at their producer.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "coda/core/error.h"
#include "coda/exec/executor.h"
#include "coda/graph/prune.h"
#include "coda/onnx/import.h"
#include "coda/zoo/zoo.h"

namespace coda::graph {
namespace {

Graph fixture(const std::string& name) {
  Graph g = onnx::import_file(std::string(CODA_SOURCE_DIR) + "/models/" + name + ".onnx");
  exec::prepare(g);
  return g;
}

Tensor images(int64_t n) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  Tensor t(DType::f32, {n, 1, 28, 28});
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

const Node& node(const Graph& g, const std::string& name) {
  for (const Node& n : g.nodes())
    if (n.name == name) return n;
  throw InvalidError("test", "no node " + name);
}

// The producer's bias: its input 2, or the per-channel constant of the Add in its region (MatMul).
std::vector<float> bias_of(const Graph& g, const PrunableGroup& gr) {
  const Node& prod = node(g, gr.producer);
  if (prod.has_input(2)) return g.value(prod.inputs[2]).constant->to_f32_vector();
  for (const auto& r : gr.region) {
    const Node& n = node(g, r);
    if (n.op != OpKind::Add) continue;
    for (auto in : n.inputs)
      if (g.value(in).is_constant() && g.value(in).constant->numel() > 1) return g.value(in).constant->to_f32_vector();
  }
  return {};
}

TEST(Prune, FindsTheFixturesGroups) {
  auto mlp = prunable_groups(fixture("mlp"));
  ASSERT_EQ(mlp.size(), 2u);  // fc1 -> fc2, fc2 -> fc3 (hidden 256 each)
  EXPECT_EQ(mlp[0].channels, 256);
  auto cnn = prunable_groups(fixture("cnn"));
  ASSERT_EQ(cnn.size(), 2u);  // conv1 -> relu -> pool -> conv2; fc1 -> relu -> fc2 (conv2 -> flatten stops)
  EXPECT_EQ(cnn[0].producer, "/conv1/Conv");
  EXPECT_EQ(cnn[0].region.size(), 2u);
  auto vit = prunable_groups(fixture("vit"));
  int ffn = 0;
  for (const auto& gr : vit) ffn += gr.region.size() >= 5;  // +bias, then GELU's Div, Erf, Add, Mul, Mul
  EXPECT_EQ(ffn, 4) << "one FFN per encoder layer";
  EXPECT_EQ(vit.size(), 4u) << "attention projections pass through Reshape/Transpose and are not prunable";
}

// The pruned model equals the original with the dropped channels' producer weights and bias zeroed
// (their activations are f(0) = 0 for ReLU and GELU, so they add nothing downstream).
TEST(Prune, EqualsZeroingTheDroppedChannels) {
  for (const char* name : {"mlp", "cnn", "vit"}) {
    SCOPED_TRACE(name);
    Graph g = fixture(name);
    Graph p = prune_channels(g, 0.5);
    Graph z = g;
    for (const auto& gr : prunable_groups(g)) {
      const Node& prod = node(p, gr.producer);
      const Node& orig = node(g, gr.producer);
      const Tensor& wp = *p.value(prod.inputs[1]).constant;
      const Tensor& wo = *g.value(orig.inputs[1]).constant;
      const bool rows = orig.op == OpKind::Conv || (orig.op == OpKind::Gemm && orig.i("transB", 0));
      const int64_t kept = rows ? wp.dim(0) : wp.dim(1);
      EXPECT_EQ(kept, gr.channels / 2);
      // Which original channels survived: match the producer's biases in order (distinct trained values;
      // the weights themselves may have lost input channels to an earlier group).
      const int64_t c = gr.channels, inner = wo.numel() / c;
      std::vector<float> bo = bias_of(g, gr), bp = bias_of(p, gr);
      ASSERT_EQ(static_cast<int64_t>(bo.size()), c);
      ASSERT_EQ(static_cast<int64_t>(bp.size()), kept);
      std::vector<bool> survives(static_cast<size_t>(c), false);
      int64_t j = 0;
      for (int64_t ch = 0; ch < c && j < kept; ++ch)
        if (bo[static_cast<size_t>(ch)] == bp[static_cast<size_t>(j)]) survives[static_cast<size_t>(ch)] = true, ++j;
      ASSERT_EQ(j, kept) << "kept channels are a subsequence of the original ones";
      Tensor wz = wo.clone();
      for (int64_t ch = 0; ch < c; ++ch)
        if (!survives[static_cast<size_t>(ch)])
          for (int64_t k = 0; k < inner; ++k)
            (rows ? wz.data<float>()[ch * inner + k] : wz.data<float>()[k * c + ch]) = 0.f;
      Node& zn = z.nodes()[static_cast<size_t>(&node(z, gr.producer) - z.nodes().data())];
      zn.inputs[1] = z.add_constant(z.fresh_name("zeroed"), wz);
      if (zn.has_input(2)) {
        Tensor b = z.value(zn.inputs[2]).constant->clone();
        for (int64_t ch = 0; ch < c; ++ch)
          if (!survives[static_cast<size_t>(ch)]) b.data<float>()[ch] = 0.f;
        zn.inputs[2] = z.add_constant(z.fresh_name("zeroed_b"), b);
      } else {  // MatMul: the bias is the Add in the region
        for (const auto& r : gr.region) {
          Node& an = z.nodes()[static_cast<size_t>(&node(z, r) - z.nodes().data())];
          if (an.op != OpKind::Add) continue;
          for (auto& in : an.inputs)
            if (z.value(in).is_constant() && z.value(in).constant->numel() == c) {
              Tensor b = z.value(in).constant->clone();
              for (int64_t ch = 0; ch < c; ++ch)
                if (!survives[static_cast<size_t>(ch)]) b.data<float>()[ch] = 0.f;
              in = z.add_constant(z.fresh_name("zeroed_b"), b);
            }
          break;
        }
      }
    }
    Tensor x = images(8);
    Tensor a = exec::Executor(p, {.threads = 1}).run(std::vector<Tensor>{x}).at(0);
    Tensor b = exec::Executor(z, {.threads = 1}).run(std::vector<Tensor>{x}).at(0);
    ASSERT_EQ(a.shape(), b.shape());
    double worst = 0, mag = 0;
    for (int64_t i = 0; i < a.numel(); ++i) {
      worst = std::max(worst, std::fabs(double(a.data<float>()[i]) - b.data<float>()[i]));
      mag = std::max(mag, std::fabs(double(b.data<float>()[i])));
    }
    EXPECT_LE(worst, 1e-5 * std::max(1.0, mag));
  }
}

TEST(Prune, KeepOneIsTheIdentityAndBadFractionsFail) {
  Graph g = fixture("mlp");
  Graph same = prune_channels(g, 1.0);
  Tensor x = images(2);
  Tensor a = exec::Executor(g, {.threads = 1}).run(std::vector<Tensor>{x}).at(0);
  Tensor b = exec::Executor(same, {.threads = 1}).run(std::vector<Tensor>{x}).at(0);
  for (int64_t i = 0; i < a.numel(); ++i) EXPECT_EQ(a.data<float>()[i], b.data<float>()[i]);
  EXPECT_THROW(prune_channels(g, 0.0), InvalidError);
  EXPECT_THROW(prune_channels(g, 1.5), InvalidError);
}

TEST(DropLayers, FindsTheVitsFourLayersAndNoneInTheMlp) {
  auto layers = residual_layers(fixture("vit"));
  ASSERT_EQ(layers.size(), 4u);
  EXPECT_EQ(layers[0][0], "/layers.0/Add");
  EXPECT_EQ(layers[0][1], "/layers.0/Add_2");
  EXPECT_TRUE(residual_layers(fixture("mlp")).empty());
  EXPECT_THROW(drop_layers(fixture("mlp"), 1), InvalidError);
  EXPECT_THROW(drop_layers(fixture("vit"), 5), InvalidError);
  EXPECT_THROW(drop_layers(fixture("vit"), 0), InvalidError);
}

// Keeping 2 of 4 layers (dropping layers 1 and 2) equals the original model with those layers'
// residual branches zeroed at their last projection (attention out, fc2): x + 0 == x, bit for bit.
TEST(DropLayers, EqualsZeroingTheDroppedBranches) {
  Graph g = fixture("vit");
  Graph d = drop_layers(g, 2);
  EXPECT_EQ(residual_layers(d).size(), 2u);
  Graph z = g;
  for (const char* l : {"1", "2"})
    for (const std::string& proj : {std::string("/layers.") + l + "/attn/out", std::string("/layers.") + l + "/fc2"})
      for (const char* op : {"/MatMul", "/Add"}) {
        Node& n = z.nodes()[static_cast<size_t>(&node(z, proj + op) - z.nodes().data())];
        for (auto& in : n.inputs)
          if (z.value(in).is_constant()) in = z.add_constant(z.fresh_name("zero"), Tensor(DType::f32, z.value(in).constant->shape()));
      }
  Tensor x = images(4);
  Tensor a = exec::Executor(d, {.threads = 1}).run(std::vector<Tensor>{x}).at(0);
  Tensor b = exec::Executor(z, {.threads = 1}).run(std::vector<Tensor>{x}).at(0);
  ASSERT_EQ(a.shape(), b.shape());
  for (int64_t i = 0; i < a.numel(); ++i) EXPECT_EQ(a.data<float>()[i], b.data<float>()[i]) << i;
  Tensor full = exec::Executor(drop_layers(g, 4), {.threads = 1}).run(std::vector<Tensor>{x}).at(0);
  Tensor orig = exec::Executor(g, {.threads = 1}).run(std::vector<Tensor>{x}).at(0);
  for (int64_t i = 0; i < full.numel(); ++i) EXPECT_EQ(full.data<float>()[i], orig.data<float>()[i]);
}

// Post-norm (BERT: LayerNorm after each residual Add). The zoo seeds weights by name, so bert-base
// with 3 layers, keeping 1 (layer 0), must equal bert-base built with 1 layer, bit for bit.
TEST(DropLayers, PostNormBertKeepsLayerZeroExactly) {
  Graph three = zoo::build_spec("zoo:bert-base?layers=3&seq=8");
  Graph one = zoo::build_spec("zoo:bert-base?layers=1&seq=8");
  exec::prepare(three);
  exec::prepare(one);
  ASSERT_EQ(residual_layers(three).size(), 3u);
  Graph dropped = drop_layers(three, 1);
  std::vector<Tensor> in;
  for (ValueId v : one.inputs()) {
    if (one.value(v).is_constant()) continue;
    Shape s = one.value(v).shape;
    for (auto& d : s)
      if (d < 0) d = 1;
    Tensor t(one.value(v).dtype, s);
    if (t.dtype() == DType::i64)
      for (int64_t i = 0; i < t.numel(); ++i) t.data<int64_t>()[i] = (i * 37) % 1000;
    in.push_back(t);
  }
  Tensor a = exec::Executor(dropped, {.threads = 1}).run(in).at(0);
  Tensor b = exec::Executor(one, {.threads = 1}).run(in).at(0);
  ASSERT_EQ(a.shape(), b.shape());
  for (int64_t i = 0; i < a.numel(); ++i) ASSERT_EQ(a.data<float>()[i], b.data<float>()[i]) << i;
}

}  // namespace
}  // namespace coda::graph

namespace coda::graph {
namespace {

std::vector<Tensor> random_inputs(const Graph& g, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.f, 1.f);
  std::vector<Tensor> in;
  for (ValueId v : g.inputs()) {
    if (g.value(v).is_constant()) continue;
    Shape s = g.value(v).shape;
    for (auto& d : s)
      if (d < 0) d = 2;
    Tensor t(g.value(v).dtype, s);
    for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = n(rng);
    in.push_back(t);
  }
  return in;
}

TEST(PruneHeads, FindsEveryAttentionBlock) {
  auto vit = attention_blocks(fixture("vit"));
  ASSERT_EQ(vit.size(), 4u);
  EXPECT_EQ(vit[0].heads, 4);
  EXPECT_EQ(vit[0].head_dim, 16);
  EXPECT_EQ(vit[0].projections[0], "/layers.0/attn/q/MatMul");
  EXPECT_EQ(vit[0].projections[2], "/layers.0/attn/v/MatMul");
  EXPECT_EQ(vit[0].output, "/layers.0/attn/out/MatMul");
  Graph bert = zoo::build_spec("zoo:bert-base?layers=2&seq=8&hidden=48&heads=6&ffn=96");
  exec::prepare(bert);
  auto b = attention_blocks(bert);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[1].heads, 6);
  EXPECT_EQ(b[1].head_dim, 8);
  EXPECT_TRUE(attention_blocks(fixture("cnn")).empty());
}

// Pruning heads equals the original with the dropped heads' rows of Wo zeroed (a head's context only
// reaches the output through its rows of Wo), and the kept heads are the top-k by the product of the
// head's slice norms in Wq, Wk, Wv and Wo, recomputed here from the original weights.
TEST(PruneHeads, EqualsZeroingTheDroppedHeadsRowsOfWo) {
  struct Case { std::string spec; double keep; int64_t kept; };
  for (const Case& c : {Case{"vit", 0.5, 2}, Case{"vit", 0.3, 2}, Case{"zoo:bert-base?layers=2&seq=8&hidden=48&heads=6&ffn=96", 0.5, 3}}) {
    SCOPED_TRACE(c.spec);
    Graph g;
    if (c.spec.rfind("zoo:", 0) == 0) {
      g = zoo::build_spec(c.spec);
      exec::prepare(g);
    } else {
      g = fixture(c.spec);
    }
    Graph p = prune_heads(g, c.keep);
    Graph z = g;
    for (const AttentionBlock& b : attention_blocks(g)) {
      auto energy = [&](const std::string& name, bool rows) {  // per head: sum of squares of its slice
        const Node& n = node(g, name);
        const Tensor& w = *g.value(n.inputs[1]).constant;  // [in, out] (MatMul)
        std::vector<double> e(static_cast<size_t>(b.heads), 0.0);
        for (int64_t i = 0; i < w.dim(0); ++i)
          for (int64_t j = 0; j < w.dim(1); ++j) {
            const double x = w.data<float>()[i * w.dim(1) + j];
            e[static_cast<size_t>((rows ? i : j) / b.head_dim)] += x * x;
          }
        return e;
      };
      std::vector<double> score(static_cast<size_t>(b.heads), 1.0);
      for (const auto& [name, rows] : {std::pair{b.projections[0], false}, {b.projections[1], false}, {b.projections[2], false}, {b.output, true}}) {
        auto e = energy(name, rows);
        for (size_t h = 0; h < e.size(); ++h) score[h] *= std::sqrt(e[h]);
      }
      std::vector<double> sorted = score;
      std::sort(sorted.rbegin(), sorted.rend());
      const double cut = sorted[static_cast<size_t>(c.kept - 1)];
      // The pruned Wo has kept x dh rows.
      const Tensor& wp = *p.value(node(p, b.output).inputs[1]).constant;
      EXPECT_EQ(wp.dim(0), c.kept * b.head_dim);
      Node& zn = z.nodes()[static_cast<size_t>(&node(z, b.output) - z.nodes().data())];
      Tensor wz = z.value(zn.inputs[1]).constant->clone();
      for (int64_t h = 0; h < b.heads; ++h)
        if (score[static_cast<size_t>(h)] < cut)
          for (int64_t r = h * b.head_dim; r < (h + 1) * b.head_dim; ++r)
            for (int64_t j = 0; j < wz.dim(1); ++j) wz.data<float>()[r * wz.dim(1) + j] = 0.f;
      zn.inputs[1] = z.add_constant(z.fresh_name("zeroed"), wz);
    }
    std::vector<Tensor> x = c.spec == "vit" ? std::vector<Tensor>{images(4)} : random_inputs(g, 5);
    Tensor a = exec::Executor(p, {.threads = 1}).run(x).at(0);
    Tensor bz = exec::Executor(z, {.threads = 1}).run(x).at(0);
    Tensor orig = exec::Executor(g, {.threads = 1}).run(x).at(0);
    ASSERT_EQ(a.shape(), bz.shape());
    double worst = 0, mag = 0, changed = 0;
    for (int64_t i = 0; i < a.numel(); ++i) {
      worst = std::max(worst, std::fabs(double(a.data<float>()[i]) - bz.data<float>()[i]));
      changed = std::max(changed, std::fabs(double(orig.data<float>()[i]) - bz.data<float>()[i]));
      mag = std::max(mag, std::fabs(double(bz.data<float>()[i])));
    }
    EXPECT_LE(worst, 1e-5 * std::max(1.0, mag));
    EXPECT_GT(changed, 1e-3) << "dropping heads changed nothing: the test would not see a wrong choice";
  }
}

TEST(PruneHeads, KeepOneIsTheIdentityAndBadFractionsFail) {
  Graph g = fixture("vit");
  Graph same = prune_heads(g, 1.0);
  Tensor x = images(2);
  Tensor a = exec::Executor(g, {.threads = 1}).run(std::vector<Tensor>{x}).at(0);
  Tensor b = exec::Executor(same, {.threads = 1}).run(std::vector<Tensor>{x}).at(0);
  for (int64_t i = 0; i < a.numel(); ++i) EXPECT_EQ(a.data<float>()[i], b.data<float>()[i]);
  // The input graph is left as it was (weights and Reshape targets are copied before they change).
  Graph half = prune_heads(g, 0.5);
  Tensor again = exec::Executor(g, {.threads = 1}).run(std::vector<Tensor>{x}).at(0);
  for (int64_t i = 0; i < a.numel(); ++i) EXPECT_EQ(a.data<float>()[i], again.data<float>()[i]);
  EXPECT_THROW(prune_heads(g, 0.0), InvalidError);
  EXPECT_THROW(prune_heads(g, -1), InvalidError);
  // A model without attention is returned unchanged.
  EXPECT_EQ(prune_heads(fixture("mlp"), 0.5).nodes().size(), fixture("mlp").nodes().size());
}

}  // namespace
}  // namespace coda::graph
