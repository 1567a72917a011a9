#include "coda/graph/prune.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <optional>
#include <set>

#include "coda/core/error.h"
#include "coda/graph/infer.h"

namespace coda::graph {

namespace {

bool is_const(const Graph& g, ValueId v) { return v != kNoValue && g.value(v).is_constant(); }

using Uses = std::map<ValueId, std::vector<std::pair<int, size_t>>>;

Uses uses_of(const Graph& g) {
  Uses uses;
  for (size_t i = 0; i < g.nodes().size(); ++i)
    for (size_t k = 0; k < g.nodes()[i].inputs.size(); ++k)
      if (g.nodes()[i].inputs[k] != kNoValue) uses[g.nodes()[i].inputs[k]].push_back({static_cast<int>(i), k});
  return uses;
}


const Tensor* weight(const Graph& g, const Node& n) {
  if (!n.has_input(0) || !n.has_input(1) || is_const(g, n.inputs[0]) || !is_const(g, n.inputs[1])) return nullptr;
  const Tensor& w = *g.value(n.inputs[1]).constant;
  if (w.dtype() != DType::f32) return nullptr;
  if (n.op == OpKind::Conv) return w.rank() == 4 && n.i("group", 1) == 1 ? &w : nullptr;
  if (n.op == OpKind::Gemm) return w.rank() == 2 && n.i("transA", 0) == 0 ? &w : nullptr;
  if (n.op == OpKind::MatMul) return w.rank() == 2 ? &w : nullptr;
  return nullptr;
}

// Output channels of a producer and input channels of a consumer, in its weight.
int64_t out_channels(const Node& n, const Tensor& w) {
  if (n.op == OpKind::Conv) return w.dim(0);
  if (n.op == OpKind::Gemm && n.i("transB", 0)) return w.dim(0);
  return w.dim(1);
}
int64_t in_channels(const Node& n, const Tensor& w) {
  if (n.op == OpKind::Conv) return w.dim(1);
  if (n.op == OpKind::Gemm && n.i("transB", 0)) return w.dim(1);
  return w.dim(0);
}

bool elementwise(OpKind k) {
  switch (k) {
    case OpKind::Add: case OpKind::Sub: case OpKind::Mul: case OpKind::Div: case OpKind::Relu: case OpKind::LeakyRelu:
    case OpKind::Erf: case OpKind::Sigmoid: case OpKind::Tanh: case OpKind::Gelu: case OpKind::Clip: case OpKind::Identity:
    case OpKind::Dropout: case OpKind::Neg: case OpKind::Abs: case OpKind::Sqrt: case OpKind::Exp: case OpKind::Pow:
      return true;
    default:
      return false;
  }
}
bool pooling(OpKind k) {
  return k == OpKind::MaxPool || k == OpKind::AveragePool || k == OpKind::BatchNormalization;
}

// A constant beside the channel stream: scalar (0), per channel (1: its channel dim is the one
// to slice), or unusable (-1). channel_axis_from_end: 1 for the last axis, 3 for NCHW's axis 1.
int const_kind(const Tensor& t, int64_t channels, int channel_axis_from_end) {
  if (t.numel() == 1) return 0;
  if (t.rank() < channel_axis_from_end) return -1;
  for (int64_t d = 0; d < t.rank(); ++d) {
    const bool is_channel = d == t.rank() - channel_axis_from_end;
    if (is_channel ? t.dim(d) != channels : t.dim(d) != 1) return -1;
  }
  return 1;
}

struct Group {
  int producer = -1;
  std::vector<int> consumers, region;
  int64_t channels = 0;
  int axis_from_end = 1;
};

std::optional<Group> group_from(const Graph& g, int p, const Uses& uses,
                                const std::set<ValueId>& outputs) {
  const Node& prod = g.nodes()[static_cast<size_t>(p)];
  const Tensor* w = weight(g, prod);
  if (!w || prod.outputs.empty()) return std::nullopt;
  Group gr;
  gr.producer = p;
  gr.channels = out_channels(prod, *w);
  gr.axis_from_end = prod.op == OpKind::Conv ? 3 : 1;
  std::set<ValueId> region_values{prod.outputs[0]};
  std::vector<ValueId> frontier{prod.outputs[0]};
  std::set<int> region, consumers;
  while (!frontier.empty()) {
    ValueId v = frontier.back();
    frontier.pop_back();
    if (outputs.count(v)) return std::nullopt;
    auto it = uses.find(v);
    if (it == uses.end()) return std::nullopt;  // a dead end: nothing consumes the channels
    for (auto [ni, slot] : it->second) {
      const Node& n = g.nodes()[static_cast<size_t>(ni)];
      if (slot == 0 && weight(g, n) && in_channels(n, *weight(g, n)) == gr.channels &&
          (n.op == OpKind::Conv) == (gr.axis_from_end == 3)) {
        consumers.insert(ni);
        continue;
      }
      const bool ok = elementwise(n.op) || (pooling(n.op) && gr.axis_from_end == 3);
      if (!ok || n.outputs.size() != 1 || (n.op == OpKind::BatchNormalization && slot != 0)) return std::nullopt;
      if (region.insert(ni).second) {
        region_values.insert(n.outputs[0]);
        frontier.push_back(n.outputs[0]);
      }
    }
  }
  // Every input of the region is the stream itself or a usable constant.
  for (int ni : region) {
    const Node& n = g.nodes()[static_cast<size_t>(ni)];
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      ValueId v = n.inputs[k];
      if (v == kNoValue || region_values.count(v)) continue;
      if (!is_const(g, v)) return std::nullopt;
      if (const_kind(*g.value(v).constant, gr.channels, gr.axis_from_end) < 0 &&
          !(n.op == OpKind::BatchNormalization && g.value(v).constant->numel() == gr.channels))
        return std::nullopt;
    }
  }
  if (consumers.empty()) return std::nullopt;
  gr.region.assign(region.begin(), region.end());
  gr.consumers.assign(consumers.begin(), consumers.end());
  return gr;
}

std::vector<Group> find_groups(const Graph& g) {
  const Uses uses = uses_of(g);
  const std::set<ValueId> outputs(g.outputs().begin(), g.outputs().end());
  std::vector<Group> out;
  for (size_t i = 0; i < g.nodes().size(); ++i)
    if (auto gr = group_from(g, static_cast<int>(i), uses, outputs)) out.push_back(*gr);
  return out;
}

// Slices `t` along dim d to the kept indices.
Tensor take(const Tensor& t, int64_t d, const std::vector<int64_t>& keep) {
  Shape s = t.shape();
  const int64_t outer = std::accumulate(s.begin(), s.begin() + d, int64_t{1}, std::multiplies<>());
  const int64_t inner = std::accumulate(s.begin() + d + 1, s.end(), int64_t{1}, std::multiplies<>());
  const int64_t n = s[static_cast<size_t>(d)];
  s[static_cast<size_t>(d)] = static_cast<int64_t>(keep.size());
  Tensor r(t.dtype(), s);
  const size_t es = dtype_size(t.dtype());
  const auto* src = static_cast<const char*>(t.raw());
  auto* dst = static_cast<char*>(r.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (size_t k = 0; k < keep.size(); ++k)
      std::memcpy(dst + ((o * static_cast<int64_t>(keep.size()) + static_cast<int64_t>(k)) * inner) * es,
                  src + ((o * n + keep[k]) * inner) * es, static_cast<size_t>(inner) * es);
  return r;
}

// Sum of squares of the slices of `t` along dim d.
std::vector<double> slice_energy(const Tensor& t, int64_t d) {
  const int64_t n = t.dim(d);
  int64_t inner = 1;
  for (int64_t k = d + 1; k < t.rank(); ++k) inner *= t.dim(k);
  std::vector<double> e(static_cast<size_t>(n), 0.0);
  const float* x = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) e[static_cast<size_t>((i / inner) % n)] += double(x[i]) * x[i];
  return e;
}

int64_t producer_dim(const Node& n) { return n.op == OpKind::Conv || (n.op == OpKind::Gemm && n.i("transB", 0)) ? 0 : 1; }
int64_t consumer_dim(const Node& n) { return n.op == OpKind::Conv || (n.op == OpKind::Gemm && n.i("transB", 0)) ? 1 : 0; }

void replace_input(Graph& g, int ni, size_t k, Tensor t) {
  Node& n = g.nodes()[static_cast<size_t>(ni)];
  const std::string base = g.value(n.inputs[k]).name + ".pruned";
  n.inputs[k] = g.add_constant(g.fresh_name(base), std::move(t));
}

// Shapes downstream of pruned weights changed: forget the computed ones and infer again.
void reinfer(Graph& g) {
  for (size_t v = 0; v < g.num_values(); ++v) {
    Value& val = g.value(static_cast<ValueId>(v));
    if (val.is_constant() || val.producer < 0) continue;
    val.shape.clear();
    val.shape_known = false;
    val.dim_params.clear();
  }
  g.remove_dead_nodes();
  infer_shapes(g);
}

}  // namespace

std::vector<PrunableGroup> prunable_groups(const Graph& g) {
  std::vector<PrunableGroup> out;
  for (const Group& gr : find_groups(g)) {
    PrunableGroup p;
    p.producer = g.nodes()[static_cast<size_t>(gr.producer)].name;
    for (int c : gr.consumers) p.consumers.push_back(g.nodes()[static_cast<size_t>(c)].name);
    for (int r : gr.region) p.region.push_back(g.nodes()[static_cast<size_t>(r)].name);
    p.channels = gr.channels;
    out.push_back(p);
  }
  return out;
}

Graph prune_channels(const Graph& g_in, double keep) {
  if (!(keep > 0 && keep <= 1)) throw InvalidError("prune", format("keep fraction %g is outside (0, 1]", keep));
  Graph g = g_in;
  if (keep == 1) return g;
  const std::vector<Group> groups = find_groups(g);
  for (const Group& gr : groups) {
    const Node& prod = g.nodes()[static_cast<size_t>(gr.producer)];
    const int64_t k = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(static_cast<double>(gr.channels) * keep - 1e-9)));
    if (k >= gr.channels) continue;
    // Importance: ||producer weights of c|| * ||consumer weights of c||.
    std::vector<double> ep = slice_energy(*g.value(prod.inputs[1]).constant, producer_dim(prod));
    std::vector<double> ec(static_cast<size_t>(gr.channels), 0.0);
    for (int c : gr.consumers) {
      const Node& n = g.nodes()[static_cast<size_t>(c)];
      std::vector<double> e = slice_energy(*g.value(n.inputs[1]).constant, consumer_dim(n));
      for (size_t i = 0; i < e.size(); ++i) ec[i] += e[i];
    }
    std::vector<int64_t> order(static_cast<size_t>(gr.channels));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return ep[static_cast<size_t>(a)] * ec[static_cast<size_t>(a)] > ep[static_cast<size_t>(b)] * ec[static_cast<size_t>(b)];
    });
    std::vector<int64_t> kept(order.begin(), order.begin() + k);
    std::sort(kept.begin(), kept.end());
    // Producer weight and bias.
    replace_input(g, gr.producer, 1, take(*g.value(prod.inputs[1]).constant, producer_dim(prod), kept));
    if (g.nodes()[static_cast<size_t>(gr.producer)].has_input(2)) {
      const Node& p2 = g.nodes()[static_cast<size_t>(gr.producer)];
      const Tensor& b = *g.value(p2.inputs[2]).constant;
      if (b.numel() == gr.channels) replace_input(g, gr.producer, 2, take(b.reshaped({gr.channels}), 0, kept));
    }
    // Per-channel constants of the region.
    for (int ri : gr.region) {
      const Node& n = g.nodes()[static_cast<size_t>(ri)];
      for (size_t s = 0; s < n.inputs.size(); ++s) {
        ValueId v = n.inputs[s];
        if (v == kNoValue || !is_const(g, v)) continue;
        const Tensor& t = *g.value(v).constant;
        if (n.op == OpKind::BatchNormalization && s > 0) {
          replace_input(g, ri, s, take(t.reshaped({gr.channels}), 0, kept));
        } else if (const_kind(t, gr.channels, gr.axis_from_end) == 1) {
          replace_input(g, ri, s, take(t, t.rank() - gr.axis_from_end, kept));
        }
      }
    }
    for (int c : gr.consumers) {
      const Node& n = g.nodes()[static_cast<size_t>(c)];
      replace_input(g, c, 1, take(*g.value(n.inputs[1]).constant, consumer_dim(n), kept));
    }
  }
  reinfer(g);
  return g;
}

namespace {

// True when value `a` is an ancestor of value `b` (b is computed from a).
bool is_ancestor(const Graph& g, ValueId a, ValueId b) {
  std::vector<ValueId> stack{b};
  std::set<ValueId> seen;
  while (!stack.empty()) {
    ValueId v = stack.back();
    stack.pop_back();
    if (v == a) return true;
    if (!seen.insert(v).second) continue;
    const int p = g.value(v).producer;
    if (p < 0) continue;
    for (ValueId in : g.nodes()[static_cast<size_t>(p)].inputs)
      if (in != kNoValue && !g.value(in).is_constant()) stack.push_back(in);
  }
  return false;
}

}  // namespace

std::vector<std::array<std::string, 2>> residual_layers(const Graph& g_in) {
  Graph g = g_in;
  g.recompute_producers();
  std::vector<std::string> adds;
  for (const Node& n : g.nodes()) {
    if (n.op != OpKind::Add || n.inputs.size() != 2 || is_const(g, n.inputs[0]) || is_const(g, n.inputs[1])) continue;
    if (is_ancestor(g, n.inputs[0], n.inputs[1]) || is_ancestor(g, n.inputs[1], n.inputs[0])) adds.push_back(n.name);
  }
  std::vector<std::array<std::string, 2>> layers;
  if (adds.size() % 2) return layers;
  for (size_t i = 0; i < adds.size(); i += 2) layers.push_back({adds[i], adds[i + 1]});
  return layers;
}

Graph drop_layers(const Graph& g_in, int64_t layers) {
  const auto all = residual_layers(g_in);
  const int64_t count = static_cast<int64_t>(all.size());
  if (count == 0) throw InvalidError(g_in.name(), "has no residual (pre-norm transformer) layers to drop");
  if (layers < 1 || layers > count)
    throw InvalidError(g_in.name(), format("cannot keep %lld of its %lld layers", (long long)layers, (long long)count));
  Graph g = g_in;
  g.recompute_producers();
  const int64_t drop = count - layers;
  for (int64_t l = 1; l <= drop; ++l)
    for (const std::string& name : all[static_cast<size_t>(l)]) {
      Node* add = nullptr;
      for (Node& n : g.nodes())
        if (n.name == name) add = &n;
      const ValueId a = add->inputs[0], b = add->inputs[1];
      const ValueId skip = is_ancestor(g, a, b) ? a : b;
      ValueId out = add->outputs.at(0);
      // Post-norm (BERT): the Add's only consumer is a LayerNormalization, which goes with the layer.
      std::vector<Node*> users;
      for (Node& n : g.nodes())
        for (ValueId in : n.inputs)
          if (in == out) users.push_back(&n);
      const bool graph_output = std::find(g.outputs().begin(), g.outputs().end(), out) != g.outputs().end();
      if (users.size() == 1 && !graph_output && users[0]->op == OpKind::LayerNormalization) out = users[0]->outputs.at(0);
      for (Node& n : g.nodes())
        for (ValueId& in : n.inputs)
          if (in == out) in = skip;
      for (ValueId& o : g.mutable_outputs())
        if (o == out) o = skip;
    }
  g.remove_dead_nodes();
  infer_shapes(g);
  return g;
}

}  // namespace coda::graph

namespace coda::graph {

namespace {

// The single reader of v (node index), or -1.
int only_reader(const Uses& uses, const std::set<ValueId>& outputs, ValueId v) {
  auto it = uses.find(v);
  if (outputs.count(v) || it == uses.end() || it->second.size() != 1) return -1;
  return it->second[0].first;
}

const Node* producer_of(const Graph& g, ValueId v) {
  const int p = g.value(v).producer;
  return p < 0 ? nullptr : &g.nodes()[static_cast<size_t>(p)];
}

// The non-constant input of a node with one constant operand (or -1 when both/neither are constant).
ValueId stream_input(const Graph& g, const Node& n) {
  ValueId s = kNoValue;
  for (ValueId in : n.inputs) {
    if (in == kNoValue || is_const(g, in)) continue;
    if (s != kNoValue) return kNoValue;
    s = in;
  }
  return s;
}

// One branch: projection -> [+ bias] -> Reshape [.., s, H, dh] -> Transpose* -> `v`.
struct Branch {
  int projection = -1, bias = -1, reshape = -1;
};

std::optional<Branch> branch_to(const Graph& g, const Uses& uses, const std::set<ValueId>& outputs, ValueId v, int64_t* heads,
                                int64_t* dh) {
  const Node* n = producer_of(g, v);
  while (n && n->op == OpKind::Transpose) {
    if (only_reader(uses, outputs, n->outputs[0]) < 0) return std::nullopt;
    v = n->inputs[0];
    n = producer_of(g, v);
  }
  if (!n || n->op != OpKind::Reshape || only_reader(uses, outputs, n->outputs[0]) < 0 || !is_const(g, n->inputs.at(1))) return std::nullopt;
  Branch b;
  b.reshape = g.value(v).producer;
  const Shape& out = g.value(n->outputs[0]).shape;
  const Shape& in = g.value(n->inputs[0]).shape;
  if (out.size() < 3 || in.empty() || out[out.size() - 2] < 1 || out.back() < 1 || in.back() != out[out.size() - 2] * out.back()) return std::nullopt;
  *heads = out[out.size() - 2];
  *dh = out.back();
  ValueId x = n->inputs[0];
  if (only_reader(uses, outputs, x) < 0) return std::nullopt;
  const Node* p = producer_of(g, x);
  if (p && p->op == OpKind::Add && stream_input(g, *p) != kNoValue) {
    for (ValueId in : p->inputs)
      if (is_const(g, in) && g.value(in).constant->numel() != *heads * *dh) return std::nullopt;
    b.bias = g.value(x).producer;
    x = stream_input(g, *p);
    if (only_reader(uses, outputs, x) < 0) return std::nullopt;
    p = producer_of(g, x);
  }
  if (!p || (p->op != OpKind::MatMul && p->op != OpKind::Gemm) || !weight(g, *p) || out_channels(*p, *weight(g, *p)) != *heads * *dh)
    return std::nullopt;
  b.projection = g.value(x).producer;
  return b;
}

struct Block {
  int softmax = -1;
  std::array<Branch, 3> qkv;
  int merge = -1, output = -1;  // the Reshape back to [.., s, H*dh] and the output projection
  int64_t heads = 0, dh = 0;
};

std::optional<Block> block_at(const Graph& g, const Uses& uses, const std::set<ValueId>& outputs, int si) {
  const Node& sm = g.nodes()[static_cast<size_t>(si)];
  Block b;
  b.softmax = si;
  // Scores: back through scaling / masking to MatMul(Q, K^T).
  const Node* n = producer_of(g, sm.inputs.at(0));
  while (n && (n->op == OpKind::Div || n->op == OpKind::Mul || n->op == OpKind::Add || n->op == OpKind::Where)) {
    if (only_reader(uses, outputs, n->outputs[0]) < 0) return std::nullopt;
    ValueId s = n->op == OpKind::Where ? (is_const(g, n->inputs.at(0)) && !is_const(g, n->inputs.at(1)) && is_const(g, n->inputs.at(2))
                                              ? n->inputs[1] : kNoValue)
                                       : stream_input(g, *n);
    if (s == kNoValue) return std::nullopt;
    n = producer_of(g, s);
  }
  if (!n || n->op != OpKind::MatMul || is_const(g, n->inputs.at(0)) || is_const(g, n->inputs.at(1)) ||
      only_reader(uses, outputs, n->outputs[0]) < 0)
    return std::nullopt;
  const int reader = only_reader(uses, outputs, sm.outputs.at(0));
  if (reader < 0) return std::nullopt;
  const Node& av = g.nodes()[static_cast<size_t>(reader)];
  if (av.op != OpKind::MatMul || av.inputs.at(0) != sm.outputs[0] || is_const(g, av.inputs.at(1))) return std::nullopt;
  const ValueId srcs[3] = {n->inputs[0], n->inputs[1], av.inputs[1]};
  for (int i = 0; i < 3; ++i) {
    int64_t h = 0, d = 0;
    auto br = branch_to(g, uses, outputs, srcs[i], &h, &d);
    if (!br || (i > 0 && (h != b.heads || d != b.dh))) return std::nullopt;
    b.heads = h, b.dh = d;
    b.qkv[static_cast<size_t>(i)] = *br;
  }
  // Context: Transpose* -> Reshape [.., s, H*dh] -> output projection.
  ValueId v = av.outputs.at(0);
  int r = only_reader(uses, outputs, v);
  while (r >= 0 && g.nodes()[static_cast<size_t>(r)].op == OpKind::Transpose) {
    v = g.nodes()[static_cast<size_t>(r)].outputs[0];
    r = only_reader(uses, outputs, v);
  }
  if (r < 0) return std::nullopt;
  const Node& merge = g.nodes()[static_cast<size_t>(r)];
  if (merge.op != OpKind::Reshape || !is_const(g, merge.inputs.at(1)) || g.value(merge.outputs[0]).shape.empty() ||
      g.value(merge.outputs[0]).shape.back() != b.heads * b.dh)
    return std::nullopt;
  b.merge = r;
  const int o = only_reader(uses, outputs, merge.outputs[0]);
  if (o < 0) return std::nullopt;
  const Node& out = g.nodes()[static_cast<size_t>(o)];
  if ((out.op != OpKind::MatMul && out.op != OpKind::Gemm) || out.inputs[0] != merge.outputs[0] || !weight(g, out) ||
      in_channels(out, *weight(g, out)) != b.heads * b.dh)
    return std::nullopt;
  b.output = o;
  return b;
}

std::vector<Block> find_blocks(const Graph& g) {
  const Uses uses = uses_of(g);
  const std::set<ValueId> outputs(g.outputs().begin(), g.outputs().end());
  std::vector<Block> out;
  for (size_t i = 0; i < g.nodes().size(); ++i)
    if (g.nodes()[i].op == OpKind::Softmax)
      if (auto b = block_at(g, uses, outputs, static_cast<int>(i))) out.push_back(*b);
  return out;
}

// Per-head sums of squares of a weight's channels (head h: channels [h*dh, (h+1)*dh)).
std::vector<double> head_energy(const std::vector<double>& channel_energy, int64_t heads, int64_t dh) {
  std::vector<double> e(static_cast<size_t>(heads), 0.0);
  for (int64_t c = 0; c < heads * dh; ++c) e[static_cast<size_t>(c / dh)] += channel_energy[static_cast<size_t>(c)];
  return e;
}

// A Reshape target with `from` replaced by `to` at position `axis_from_end` (1 = last); -1 and 0 stay.
Tensor retarget(const Tensor& shape, int64_t axis_from_end, int64_t from, int64_t to) {
  CODA_CHECK(shape.dtype() == DType::i64 && shape.rank() == 1, "a Reshape target is a 1-D int64 tensor");
  Tensor t = shape.clone();  // tensors share storage when copied
  int64_t* d = t.data<int64_t>();
  const int64_t i = t.numel() - axis_from_end;
  if (i >= 0 && d[i] == from) d[i] = to;
  return t;
}

}  // namespace

std::vector<AttentionBlock> attention_blocks(const Graph& g_in) {
  Graph g = g_in;
  g.recompute_producers();
  std::vector<AttentionBlock> out;
  for (const Block& b : find_blocks(g)) {
    AttentionBlock a;
    a.softmax = g.nodes()[static_cast<size_t>(b.softmax)].name;
    for (size_t i = 0; i < 3; ++i) a.projections[i] = g.nodes()[static_cast<size_t>(b.qkv[i].projection)].name;
    a.output = g.nodes()[static_cast<size_t>(b.output)].name;
    a.heads = b.heads;
    a.head_dim = b.dh;
    out.push_back(a);
  }
  return out;
}

Graph prune_heads(const Graph& g_in, double keep) {
  if (!(keep > 0 && keep <= 1)) throw InvalidError("prune", format("head keep fraction %g is outside (0, 1]", keep));
  Graph g = g_in;
  if (keep == 1) return g;
  g.recompute_producers();
  const std::vector<Block> blocks = find_blocks(g);
  for (const Block& b : blocks) {
    const int64_t k = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(static_cast<double>(b.heads) * keep - 1e-9)));
    if (k >= b.heads) continue;
    // Importance: the product of the head's slice norms in Wq, Wk, Wv and Wo.
    std::vector<double> score(static_cast<size_t>(b.heads), 1.0);
    auto weigh = [&](const std::vector<double>& ce) {
      const std::vector<double> e = head_energy(ce, b.heads, b.dh);
      for (size_t h = 0; h < e.size(); ++h) score[h] *= std::sqrt(e[h]);
    };
    for (const Branch& br : b.qkv) {
      const Node& p = g.nodes()[static_cast<size_t>(br.projection)];
      weigh(slice_energy(*g.value(p.inputs[1]).constant, producer_dim(p)));
    }
    const Node& o = g.nodes()[static_cast<size_t>(b.output)];
    weigh(slice_energy(*g.value(o.inputs[1]).constant, consumer_dim(o)));
    std::vector<int64_t> order(static_cast<size_t>(b.heads));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return score[static_cast<size_t>(x)] > score[static_cast<size_t>(y)]; });
    std::vector<int64_t> heads(order.begin(), order.begin() + k);
    std::sort(heads.begin(), heads.end());
    std::vector<int64_t> channels;
    for (int64_t h : heads)
      for (int64_t d = 0; d < b.dh; ++d) channels.push_back(h * b.dh + d);
    const int64_t width = b.heads * b.dh;
    for (const Branch& br : b.qkv) {
      const Node& p = g.nodes()[static_cast<size_t>(br.projection)];
      replace_input(g, br.projection, 1, take(*g.value(p.inputs[1]).constant, producer_dim(p), channels));
      if (p.op == OpKind::Gemm && p.has_input(2) && g.value(p.inputs[2]).constant->numel() == width)
        replace_input(g, br.projection, 2, take(g.value(p.inputs[2]).constant->reshaped({width}), 0, channels));
      if (br.bias >= 0) {
        const Node& a = g.nodes()[static_cast<size_t>(br.bias)];
        for (size_t s = 0; s < a.inputs.size(); ++s)
          if (is_const(g, a.inputs[s])) {
            const Tensor& t = *g.value(a.inputs[s]).constant;
            if (t.numel() == width) replace_input(g, br.bias, s, take(t.reshaped({width}), 0, channels));
          }
      }
      const Node& r = g.nodes()[static_cast<size_t>(br.reshape)];
      replace_input(g, br.reshape, 1, retarget(*g.value(r.inputs[1]).constant, 2, b.heads, k));
    }
    const Node& m = g.nodes()[static_cast<size_t>(b.merge)];
    replace_input(g, b.merge, 1, retarget(*g.value(m.inputs[1]).constant, 1, width, k * b.dh));
    replace_input(g, b.output, 1, take(*g.value(o.inputs[1]).constant, consumer_dim(o), channels));
  }
  reinfer(g);
  return g;
}

}  // namespace coda::graph
