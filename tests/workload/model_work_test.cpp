// MACs and parameters of the zoo models from independent closed forms written out here layer by
// layer (torchvision / paper architectures), and the published totals they must land near.
#include <gtest/gtest.h>

#include "coda/workload/extract.h"
#include "coda/zoo/zoo.h"

namespace coda::workload {
namespace {

struct Expected {
  int64_t macs, params;
};

// A bias-free k x k conv (torchvision's convs before BatchNorm) with an out x out output.
Expected conv(int64_t cin, int64_t cout, int64_t k, int64_t out, int64_t groups = 1) {
  return {out * out * cout * (cin / groups) * k * k, cout * (cin / groups) * k * k};
}
Expected linear(int64_t in, int64_t out, int64_t rows = 1) { return {rows * in * out, in * out + out}; }

std::vector<LayerWork> compute_layers(const std::vector<LayerWork>& all) {
  std::vector<LayerWork> out;
  for (const LayerWork& l : all)
    if (l.problem) out.push_back(l);
  return out;
}

// Every compute layer's MACs and weight count, in order; returns the totals (BatchNorm adds 2*cout).
void expect_layers(const std::string& spec, const std::vector<Expected>& expected, int64_t bn_params) {
  graph::Graph g = zoo::build_spec(spec);
  std::vector<LayerWork> all = extract(g);
  std::vector<LayerWork> layers = compute_layers(all);
  ASSERT_EQ(layers.size(), expected.size()) << spec;
  int64_t macs = 0, params = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    EXPECT_EQ(layers[i].macs, expected[i].macs) << spec << " layer " << i << " " << layers[i].name;
    EXPECT_EQ(layers[i].params, expected[i].params) << spec << " layer " << i << " " << layers[i].name;
    macs += expected[i].macs;
    params += expected[i].params;
  }
  WorkTotals t = totals(all);
  EXPECT_EQ(t.macs, macs);
  EXPECT_EQ(t.params, params + bn_params);
}

// torchvision ResNet: conv1 7x7/2, maxpool, stages of BasicBlock or Bottleneck (stride on the 3x3),
// 1x1 downsample when shape changes, fc. Collects BatchNorm parameters (2 per channel) in `bn`.
std::vector<Expected> resnet_layers(const std::vector<int>& blocks, bool bottleneck, int64_t& bn) {
  std::vector<Expected> e{conv(3, 64, 7, 112)};
  bn = 2 * 64;
  int64_t cin = 64, hw = 56, expansion = bottleneck ? 4 : 1;
  for (size_t s = 0; s < blocks.size(); ++s) {
    int64_t planes = int64_t{64} << s, cout = planes * expansion;
    for (int j = 0; j < blocks[s]; ++j) {
      int64_t stride = (j == 0 && s > 0) ? 2 : 1, out = hw / stride;
      if (bottleneck) {
        e.push_back(conv(cin, planes, 1, hw));
        e.push_back(conv(planes, planes, 3, out));
        e.push_back(conv(planes, cout, 1, out));
        bn += 2 * (planes + planes + cout);
      } else {
        e.push_back(conv(cin, planes, 3, out));
        e.push_back(conv(planes, planes, 3, out));
        bn += 2 * (planes + planes);
      }
      if (stride != 1 || cin != cout) {
        e.push_back(conv(cin, cout, 1, out));
        bn += 2 * cout;
      }
      cin = cout;
      hw = out;
    }
  }
  e.push_back(linear(cin, 1000));
  return e;
}

TEST(ModelWork, ResNet18) {
  int64_t bn = 0;
  std::vector<Expected> e = resnet_layers({2, 2, 2, 2}, false, bn);
  expect_layers("zoo:resnet18", e, bn);
  WorkTotals t = totals(extract(zoo::build("resnet18")));
  EXPECT_NEAR(static_cast<double>(t.macs), 1.814e9, 0.01 * 1.814e9);
  EXPECT_NEAR(static_cast<double>(t.params), 11.69e6, 0.01 * 11.69e6);
}

TEST(ModelWork, ResNet50) {
  int64_t bn = 0;
  std::vector<Expected> e = resnet_layers({3, 4, 6, 3}, true, bn);
  expect_layers("zoo:resnet50", e, bn);
  WorkTotals t = totals(extract(zoo::build("resnet50")));
  EXPECT_NEAR(static_cast<double>(t.macs), 4.09e9, 0.01 * 4.09e9);
  EXPECT_NEAR(static_cast<double>(t.params), 25.56e6, 0.01 * 25.56e6);
}

// torchvision MobileNetV2: inverted residual settings (t, c, n, s) from the paper's Table 2.
TEST(ModelWork, MobileNetV2) {
  const int64_t settings[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                                  {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  std::vector<Expected> e{conv(3, 32, 3, 112)};
  int64_t bn = 2 * 32, cin = 32, hw = 112;
  for (const auto& st : settings)
    for (int64_t j = 0; j < st[2]; ++j) {
      int64_t t = st[0], cout = st[1], stride = j == 0 ? st[3] : 1, hidden = cin * t, out = hw / stride;
      if (t != 1) {
        e.push_back(conv(cin, hidden, 1, hw));
        bn += 2 * hidden;
      }
      e.push_back(conv(hidden, hidden, 3, out, hidden));  // depthwise
      e.push_back(conv(hidden, cout, 1, out));
      bn += 2 * (hidden + cout);
      cin = cout;
      hw = out;
    }
  e.push_back(conv(320, 1280, 1, 7));
  bn += 2 * 1280;
  e.push_back(linear(1280, 1000));
  expect_layers("zoo:mobilenetv2", e, bn);
  WorkTotals t = totals(extract(zoo::build("mobilenetv2")));
  EXPECT_NEAR(static_cast<double>(t.macs), 0.30e9, 0.03 * 0.30e9);
  EXPECT_NEAR(static_cast<double>(t.params), 3.50e6, 0.01 * 3.50e6);
}

// One transformer layer over `tokens` tokens (attending to `keys` keys): q, k, v, out projections,
// Q Kᵀ and A V per head, and the FFN.
std::vector<Expected> transformer_layer(int64_t tokens, int64_t keys, int64_t d, int64_t heads, int64_t ffn) {
  int64_t dh = d / heads;
  Expected proj = linear(d, d, tokens);
  proj.params = d * d;  // MatMul weight; the bias belongs to the Add after it
  Expected fc1{tokens * d * ffn, d * ffn}, fc2{tokens * ffn * d, ffn * d};
  return {proj, proj, proj, {heads * tokens * keys * dh, 0}, {heads * tokens * keys * dh, 0}, proj, fc1, fc2};
}

TEST(ModelWork, BertBase) {
  const int64_t seq = 128, layers = 12, d = 768, ffn = 3072;
  std::vector<Expected> e;
  for (int i = 0; i < layers; ++i)
    for (const Expected& x : transformer_layer(seq, seq, d, 12, ffn)) e.push_back(x);
  // Non-MatMul parameters: 4 projection biases, the FFN biases and 2 LayerNorms per layer.
  expect_layers("zoo:bert-base", e, layers * (4 * d + ffn + d + 4 * d));
  const double formula = 12.0 * seq * (4.0 * d * d + 2.0 * d * ffn) + 12.0 * 2 * seq * seq * d;
  WorkTotals t = totals(extract(zoo::build("bert-base")));
  EXPECT_NEAR(static_cast<double>(t.macs), formula, 0.01 * formula);
}

TEST(ModelWork, BertBaseSequenceAndDepthParams) {
  const double seq = 64, layers = 2, d = 768;
  WorkTotals t = totals(extract(zoo::build("bert-base", {{"seq", "64"}, {"layers", "2"}})));
  EXPECT_EQ(static_cast<double>(t.macs), layers * seq * (4 * d * d + 2 * d * 3072) + layers * 2 * seq * seq * d);
}

TEST(ModelWork, VitB16) {
  const int64_t d = 768, tokens = 197;
  std::vector<Expected> e{conv(3, d, 16, 14)};
  e[0].params += d;  // the patch embedding has a bias
  for (int i = 0; i < 12; ++i)
    for (const Expected& x : transformer_layer(tokens, tokens, d, 12, 3072)) e.push_back(x);
  e.push_back(linear(d, 1000));
  // cls token, position embedding, per-layer biases and LayerNorms, final LayerNorm.
  expect_layers("zoo:vit-b16", e, d + tokens * d + 12 * (4 * d + 3072 + d + 4 * d) + 2 * d);
  WorkTotals t = totals(extract(zoo::build("vit-b16")));
  EXPECT_NEAR(static_cast<double>(t.macs), 17.6e9, 0.02 * 17.6e9);
}

TEST(ModelWork, Gpt2PrefillAndDecode) {
  const double d = 768, ffn = 3072, vocab = 50257, layers = 12, seq = 128;
  WorkTotals pre = totals(extract(zoo::build("gpt2")));
  EXPECT_EQ(static_cast<double>(pre.macs),
            layers * seq * (4 * d * d + 2 * d * ffn) + layers * 2 * seq * seq * d + seq * d * vocab);
  WorkTotals dec = totals(extract(zoo::build("gpt2", {{"mode", "decode"}})));
  EXPECT_EQ(static_cast<double>(dec.macs), layers * (4 * d * d + 2 * d * ffn) + layers * 2 * (seq + 1) * d + d * vocab);
}

TEST(ModelWork, Fixtures) {
  expect_layers("zoo:cnn",
                {{28 * 28 * 32 * 9, 32 * 9 + 32}, {14 * 14 * 64 * 32 * 9, 64 * 32 * 9 + 64}, linear(3136, 128),
                 linear(128, 10)},
                0);
  expect_layers("zoo:mlp", {linear(784, 256), linear(256, 256), linear(256, 10)}, 0);
  // Direct transposed conv: N * Cin * H * W * Cout * kh * kw.
  expect_layers("zoo:decoder",
                {linear(32, 3136), {64 * 7 * 7 * 32 * 16, 64 * 32 * 16 + 32}, {32 * 14 * 14 * 1 * 16, 32 * 16 + 1}}, 0);
  const int64_t n = 50;
  expect_layers("zoo:gcn?nodes=50",
                {{n * 64 * 64, 64 * 64}, {n * n * 64, 0}, {n * 64 * 10, 64 * 10}, {n * n * 10, 0}}, 64 + 10);
  std::vector<Expected> vit{{16 * 64 * 49, 64 * 49 + 64}};
  for (int i = 0; i < 4; ++i)
    for (const Expected& x : transformer_layer(16, 16, 64, 4, 128)) vit.push_back(x);
  vit.push_back(linear(64, 10));
  expect_layers("zoo:vit", vit, 16 * 64 + 4 * (4 * 64 + 128 + 64 + 4 * 64) + 2 * 64);
}

TEST(ModelWork, BatchScalesMacsNotParams) {
  WorkTotals one = totals(extract(zoo::build("resnet18"))), four = totals(extract(zoo::build("resnet18", {{"batch", "4"}})));
  EXPECT_EQ(four.macs, 4 * one.macs);
  EXPECT_EQ(four.params, one.params);
}

}  // namespace
}  // namespace coda::workload
