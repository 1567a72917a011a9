#include "coda/exec/fuse_activations.h"

#include <algorithm>
#include <limits>

namespace coda::exec {

namespace {

using graph::kNoValue;
using graph::Node;
using graph::OpKind;
using graph::ValueId;

bool producer_fusable(OpKind op) {
  return op == OpKind::Conv || op == OpKind::ConvTranspose || op == OpKind::Gemm || op == OpKind::MatMul;
}

// Sets the "_activation" attributes for activation node `a` on `target`; false if `a` cannot fuse.
bool set_activation(const graph::Graph& g, const Node& a, Node& target) {
  switch (a.op) {
    case OpKind::Relu:
      target.attrs["_activation"] = graph::Attribute("Relu");
      return true;
    case OpKind::LeakyRelu:
      target.attrs["_activation"] = graph::Attribute("LeakyRelu");
      target.attrs["_activation_alpha"] = graph::Attribute(a.f("alpha", 0.01f));
      return true;
    case OpKind::Clip: {
      if (a.has("min") || a.has("max")) {  // opset < 11: bounds are attributes
        target.attrs["_activation_min"] = graph::Attribute(a.f("min", std::numeric_limits<float>::lowest()));
        target.attrs["_activation_max"] = graph::Attribute(a.f("max", std::numeric_limits<float>::max()));
      } else {
        for (size_t k = 1; k < 3; ++k) {
          if (!a.has_input(k)) continue;
          const auto& v = g.value(a.inputs[k]);
          if (!v.is_constant() || v.constant->numel() != 1 || v.constant->dtype() != DType::f32) return false;
          target.attrs[k == 1 ? "_activation_min" : "_activation_max"] = graph::Attribute(v.constant->data<float>()[0]);
        }
      }
      target.attrs["_activation"] = graph::Attribute("Clip");
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

int fuse_activations(graph::Graph& g) {
  g.recompute_producers();
  std::vector<int> uses(g.num_values(), 0);
  for (const Node& n : g.nodes())
    for (ValueId in : n.inputs)
      if (in != kNoValue) ++uses[static_cast<size_t>(in)];
  for (ValueId o : g.outputs()) ++uses[static_cast<size_t>(o)];

  std::vector<bool> drop(g.nodes().size(), false);
  int fused = 0;
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    Node& a = g.nodes()[i];
    if (a.inputs.empty() || a.inputs[0] == kNoValue) continue;
    ValueId x = a.inputs[0];
    int p = g.value(x).producer;
    if (p < 0 || drop[static_cast<size_t>(p)] || uses[static_cast<size_t>(x)] != 1) continue;
    Node& prod = g.nodes()[static_cast<size_t>(p)];
    if (!producer_fusable(prod.op) || prod.has("_activation") || g.value(x).dtype != DType::f32) continue;
    if (a.outputs.size() != 1 || a.outputs[0] == kNoValue) continue;
    Node trial = prod;
    if (!set_activation(g, a, trial)) continue;
    trial.outputs[0] = a.outputs[0];
    prod = std::move(trial);
    drop[i] = true;
    ++fused;
  }
  std::vector<Node> kept;
  for (size_t i = 0; i < g.nodes().size(); ++i)
    if (!drop[i]) kept.push_back(std::move(g.nodes()[i]));
  g.nodes() = std::move(kept);
  g.recompute_producers();
  return fused;
}

}  // namespace coda::exec
