// The table of zoo models (name, description, parameters, builder) and zoo::build / names / describe.
#include <algorithm>

#include "coda/zoo/models.h"
#include "coda/zoo/zoo.h"

namespace coda::zoo {

namespace {

struct Entry {
  std::string name;
  std::string description;
  std::vector<ParamSpec> params;  // besides `seed`
  graph::Graph (*build)(const Params&);
};

const std::vector<Entry>& registry() {
  static const ParamSpec batch = Params::batch_param();
  static const std::vector<Entry> table = {
      {"bert-base", "BERT-base encoder on embedded hidden states [batch, seq, hidden], post-LN, GELU (erf)",
       {{"seq", "128", "tokens"}, {"layers", "12", "encoder layers"}, {"hidden", "768", "model width"},
        {"heads", "12", "attention heads"}, {"ffn", "3072", "feed-forward width"}, batch},
       build_bert_base},
      {"cnn", "fixture CNN for Fashion-MNIST: 2x (Conv3x3 + Relu + MaxPool) + 2 Gemm, input [batch,1,28,28]",
       {batch}, build_cnn},
      {"decoder", "fixture autoencoder decoder: Gemm 32->3136, 2 ConvTranspose(k4,s2,p1), latent [batch,32]",
       {batch}, build_decoder},
      {"gcn", "fixture 2-layer GCN: features [nodes,64], adjacency [nodes,nodes] -> [nodes,10]",
       {{"nodes", "1797", "graph nodes"}}, build_gcn},
      {"gpt2", "GPT-2 small decoder with tied LM head; decode = 1 token over a KV cache of `seq` tokens",
       {{"mode", "prefill", "prefill|decode"}, {"seq", "128", "prompt tokens (prefill) or cached tokens (decode)"},
        {"layers", "12", "decoder layers"}, {"hidden", "768", "model width"}, {"heads", "12", "attention heads"},
        {"ffn", "3072", "feed-forward width"}, {"vocab", "50257", "vocabulary size"}, batch},
       build_gpt2},
      {"mlp", "fixture MLP for Fashion-MNIST: Flatten, Gemm 784->256->256->10 with Relu", {batch}, build_mlp},
      {"mobilenetv2", "torchvision MobileNetV2 (width 1.0), 224x224, 0.30 GMACs, 3.50 M params", {batch},
       build_mobilenetv2},
      {"resnet18", "torchvision ResNet-18, 224x224, 1.814 GMACs, 11.69 M params", {batch}, build_resnet18},
      {"resnet50", "torchvision ResNet-50 (v1.5), 224x224, 4.09 GMACs, 25.56 M params", {batch}, build_resnet50},
      {"vit", "fixture ViT for Fashion-MNIST: 7x7 patches, 4 pre-LN layers of width 64, 4 heads", {batch},
       build_vit},
      {"vit-b16", "ViT-B/16, 224x224, 196 patches + cls token, pre-LN",
       {{"layers", "12", "encoder layers"}, {"hidden", "768", "model width"}, {"heads", "12", "attention heads"},
        {"ffn", "3072", "feed-forward width"}, {"classes", "1000", "classifier outputs"}, batch},
       build_vit_b16},
  };
  return table;
}

const Entry& find_entry(const std::string& name) {
  for (const Entry& e : registry())
    if (e.name == name) return e;
  std::string all;
  for (const std::string& n : names()) all += (all.empty() ? "" : ", ") + n;
  throw InvalidError("zoo", "unknown model '" + name + "'; valid models: " + all);
}

}  // namespace

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const Entry& e : registry()) out.push_back(e.name);
  std::sort(out.begin(), out.end());
  return out;
}

graph::Graph build(const std::string& name, const std::map<std::string, std::string>& params) {
  const Entry& e = find_entry(name);
  return e.build(Params(e.name, e.params, params));
}

graph::Graph build_spec(const std::string& spec) {
  ModelSpec s = parse_spec(spec);
  return build(s.name, s.params);
}

std::string describe(const std::string& name) {
  const Entry& e = find_entry(name);
  std::string s = e.name + ": " + e.description + " (params:";
  for (const ParamSpec& p : Params::with_seed(e.params)) s += " " + p.key + "=" + p.default_value;
  return s + ")";
}

}  // namespace coda::zoo
