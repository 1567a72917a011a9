#include "coda/quant/ptq.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <set>
#include <span>
#include <string_view>

#include "coda/core/error.h"
#include "coda/exec/executor.h"
#include "coda/graph/infer.h"
#include "coda/graph/subpixel.h"
#include "coda/quant/hessian.h"
#include "coda/quant/kl_observer.h"
#include "coda/quant/mse_observer.h"
#include "coda/quant/observer.h"
#include "coda/quant/percentile_observer.h"
#include "coda/quant/quantize.h"
#include "coda/quant/smooth.h"

namespace coda::quant {

namespace {

using graph::Graph;
using graph::Node;
using graph::OpKind;
using graph::ValueId;
using graph::kNoValue;

constexpr const char* kWhere = "quantize";

// ---------------------------------------------------------------------------------------------
// Layers

struct Layer {
  std::string name;
  OpKind op = OpKind::Unknown;
  bool bmm = false;            // MatMul of two activations
  bool weight_in_out = false;  // weight stored [in, out] (MatMul, Gemm with transB = 0)
  bool trans_a = false;        // Gemm transA = 1: the activation's channels are not its last axis
  int64_t groups = 1;          // Conv
  ConvWindow window;           // Conv
};

bool is_const(const Graph& g, ValueId v) { return v != kNoValue && g.value(v).is_constant(); }

// The layer node `n` is, or nullopt.
std::optional<Layer> as_layer(const Graph& g, const Node& n) {
  if (n.inputs.size() < 2 || !n.has_input(0) || !n.has_input(1) || is_const(g, n.inputs[0])) return std::nullopt;
  Layer l;
  l.name = n.name;
  l.op = n.op;
  const bool w_const = is_const(g, n.inputs[1]);
  if (w_const && g.value(n.inputs[1]).constant->dtype() != DType::f32) return std::nullopt;
  switch (n.op) {
    case OpKind::Conv: {
      if (!w_const) return std::nullopt;
      const Tensor& w = *g.value(n.inputs[1]).constant;
      if (w.rank() != 4 || n.s("auto_pad", "NOTSET") != "NOTSET") return std::nullopt;
      l.groups = n.i("group", 1);
      auto ks = n.ints("kernel_shape", {w.dim(2), w.dim(3)});
      auto st = n.ints("strides", {1, 1});
      auto di = n.ints("dilations", {1, 1});
      auto pd = n.ints("pads", {0, 0, 0, 0});
      if (ks.size() != 2 || st.size() != 2 || di.size() != 2 || pd.size() != 4) return std::nullopt;
      l.window.kernel = {ks[0], ks[1]};
      l.window.stride = {st[0], st[1]};
      l.window.dilation = {di[0], di[1]};
      l.window.pads = {pd[0], pd[1], pd[2], pd[3]};
      l.window.groups = l.groups;
      return l;
    }
    case OpKind::Gemm:
      if (!w_const || g.value(n.inputs[1]).constant->rank() != 2) return std::nullopt;
      l.weight_in_out = n.i("transB", 0) == 0;
      l.trans_a = n.i("transA", 0) != 0;
      return l;
    case OpKind::MatMul:
      if (!w_const) {
        l.bmm = true;
        return l;
      }
      if (g.value(n.inputs[1]).constant->rank() != 2) return std::nullopt;
      l.weight_in_out = true;
      return l;
    default:
      return std::nullopt;
  }
}

int node_index(const Graph& g, const std::string& name) {
  for (size_t i = 0; i < g.nodes().size(); ++i)
    if (g.nodes()[i].name == name) return static_cast<int>(i);
  throw InvalidError(kWhere, "internal: layer '" + name + "' vanished");
}

// The weight as a matrix [out, reduction] (a copy) and back.
Tensor weight_matrix(const Tensor& w, const Layer& l) {
  if (l.op == OpKind::Conv) return w.reshaped({w.dim(0), w.numel() / w.dim(0)}).clone();
  if (!l.weight_in_out) return w.clone();
  Tensor t(DType::f32, {w.dim(1), w.dim(0)});
  const float* s = w.data<float>();
  float* d = t.data<float>();
  for (int64_t i = 0; i < w.dim(0); ++i)
    for (int64_t j = 0; j < w.dim(1); ++j) d[j * w.dim(0) + i] = s[i * w.dim(1) + j];
  return t;
}

Tensor weight_from_matrix(const Tensor& m, const Layer& l, const Shape& shape) {
  if (l.op == OpKind::Conv || !l.weight_in_out) return m.reshaped(shape).clone();
  Layer t;  // transpose back
  t.op = OpKind::Gemm;
  t.weight_in_out = true;
  return weight_matrix(m, t);
}

// The weight's input-channel axis in its stored layout.
int weight_in_axis(const Layer& l) { return l.op == OpKind::Conv ? 1 : (l.weight_in_out ? 0 : 1); }

// ---------------------------------------------------------------------------------------------
// Graph building

struct Builder {
  Graph& g;
  std::string prefix;

  ValueId constant(const std::string& what, Tensor t) { return g.add_constant(g.fresh_name(prefix + "." + what), std::move(t)); }
  ValueId node(OpKind op, const std::string& what, std::vector<ValueId> in, std::map<std::string, graph::Attribute> attrs = {},
               DType out_type = DType::undefined) {
    ValueId out = g.add_value(g.fresh_name(prefix + "." + what), out_type);
    g.add_node(op, g.fresh_name(prefix + "." + what), std::move(in), {out}, std::move(attrs));
    return out;
  }
  ValueId scalar(const std::string& what, float v) {
    Tensor t(DType::f32, {});
    t.data<float>()[0] = v;
    return constant(what, std::move(t));
  }
};

Tensor scalar_of(DType t, int32_t v) {
  Tensor s(t, {});
  if (t == DType::u8) s.data<uint8_t>()[0] = static_cast<uint8_t>(v);
  else if (t == DType::i8) s.data<int8_t>()[0] = static_cast<int8_t>(v);
  else throw InvalidError(kWhere, "internal: zero point dtype");
  return s;
}

// Integer codes (i32) as the narrowest ONNX type that holds [lo, hi] (i8 or u8), or undefined.
DType code_type(int64_t lo, int64_t hi) {
  if (lo >= -128 && hi <= 127) return DType::i8;
  if (lo >= 0 && hi <= 255) return DType::u8;
  return DType::undefined;
}

Tensor cast_codes(const Tensor& codes, DType t) {
  Tensor out(t, codes.shape());
  const int32_t* c = codes.data<int32_t>();
  for (int64_t k = 0; k < codes.numel(); ++k) {
    if (t == DType::i8) out.data<int8_t>()[k] = static_cast<int8_t>(c[k]);
    else out.data<uint8_t>()[k] = static_cast<uint8_t>(c[k]);
  }
  return out;
}

// A quantized weight: the fake-quantized matrix and, for INT formats, codes and scales per row group.
struct QWeight {
  Tensor w_hat;            // f32 [out, red]
  Tensor codes;            // i32 [out, red] or undefined
  Tensor scale, zero;      // f32 / i32 [out, groups] ([1, 1] per tensor)
  Tensor group_index;      // i32 [red]
  bool per_tensor = false;
};

QWeight rtn_weight(const Tensor& w2, const NumberFormat& f) {
  QWeight q;
  QuantParams p = params_from_data(w2, f);
  if (f.kind != FormatKind::Int) {
    q.w_hat = fake_quantize(w2, f, p);
    return q;
  }
  q.codes = quantize(w2, f, p);
  q.w_hat = dequantize(q.codes, f, p);
  const int64_t out = w2.dim(0), red = w2.dim(1);
  int64_t groups = 1, gs = red;
  if (f.granularity == Granularity::PerGroup) gs = f.group_size, groups = (red + gs - 1) / gs;
  q.per_tensor = f.granularity == Granularity::PerTensor;
  const int64_t rows = q.per_tensor ? 1 : out;
  q.scale = Tensor(DType::f32, {rows, groups});
  q.zero = Tensor(DType::i32, {rows, groups});
  std::memcpy(q.scale.raw(), p.scale.raw(), q.scale.nbytes());
  std::memcpy(q.zero.raw(), p.zero_point.raw(), q.zero.nbytes());
  q.group_index = Tensor(DType::i32, {red});
  for (int64_t j = 0; j < red; ++j) q.group_index.data<int32_t>()[j] = static_cast<int32_t>(j / gs);
  return q;
}

// The graph value of a quantized weight in its stored layout: DequantizeLinear where one scale
// per tensor or output channel covers it, Cast-Sub-Mul per group, otherwise the float values.
ValueId emit_weight(Builder& b, const QWeight& q, const Layer& l, const Shape& shape, const NumberFormat& f) {
  const int64_t out = q.w_hat.dim(0), red = q.w_hat.dim(1);
  if (q.codes.defined()) {
    const DType ct = code_type(f.qmin(), f.qmax());
    const int64_t groups = q.scale.dim(1);
    bool natural = true;
    const int64_t gs = groups == 1 ? red : (red + groups - 1) / groups;
    for (int64_t j = 0; j < red; ++j) natural &= q.group_index.data<int32_t>()[j] == j / gs;
    if (ct != DType::undefined && natural && groups == 1) {
      Tensor codes = cast_codes(weight_from_matrix(q.codes.cast(DType::f32), l, shape).cast(DType::i32), ct);
      const int64_t rows = q.scale.dim(0);
      Tensor scale = rows == 1 ? Tensor(DType::f32, {}) : Tensor(DType::f32, {rows});
      std::memcpy(scale.raw(), q.scale.raw(), scale.nbytes());
      Tensor zero(ct, scale.shape());
      for (int64_t r = 0; r < rows; ++r) {
        const int32_t z = q.zero.data<int32_t>()[r];
        if (ct == DType::i8) zero.data<int8_t>()[r] = static_cast<int8_t>(z);
        else zero.data<uint8_t>()[r] = static_cast<uint8_t>(z);
      }
      std::map<std::string, graph::Attribute> attrs;
      if (rows > 1) attrs["axis"] = graph::Attribute(int64_t{l.op == OpKind::Conv ? 0 : (l.weight_in_out ? 1 : 0)});
      return b.node(OpKind::DequantizeLinear, "w_dq",
                    {b.constant("w_codes", std::move(codes)), b.constant("w_scale", std::move(scale)),
                     b.constant("w_zero", std::move(zero))},
                    std::move(attrs), DType::f32);
    }
    if (ct != DType::undefined && natural && red % gs == 0 && q.scale.dim(0) == out) {
      Tensor codes = cast_codes(q.codes, ct).reshaped({out, groups, gs});
      Tensor scale = q.scale.reshaped({out, groups, 1}).clone();
      Tensor zero = q.zero.cast(DType::f32).reshaped({out, groups, 1});
      ValueId c = b.node(OpKind::Cast, "w_cast", {b.constant("w_codes", std::move(codes))},
                         {{"to", graph::Attribute(int64_t{1})}}, DType::f32);
      ValueId centred = b.node(OpKind::Sub, "w_centre", {c, b.constant("w_zero", std::move(zero))}, {}, DType::f32);
      ValueId scaled = b.node(OpKind::Mul, "w_scale", {centred, b.constant("w_scale", std::move(scale))}, {}, DType::f32);
      Tensor target(DType::i64, {static_cast<int64_t>(l.weight_in_out ? 2 : shape.size())});
      Shape stored = l.weight_in_out ? Shape{out, red} : shape;
      for (size_t k = 0; k < stored.size(); ++k) target.data<int64_t>()[k] = stored[k];
      ValueId r = b.node(OpKind::Reshape, "w_reshape", {scaled, b.constant("w_shape", std::move(target))}, {}, DType::f32);
      if (!l.weight_in_out) return r;
      return b.node(OpKind::Transpose, "w_transpose", {r}, {{"perm", graph::Attribute(std::vector<int64_t>{1, 0})}},
                    DType::f32);
    }
  }
  return b.constant("w_fq", weight_from_matrix(q.w_hat, l, shape));
}

// Static per-tensor activation quantization: x -> QuantizeLinear [-> Clip] (the integer codes).
struct QuantizedAct {
  ValueId codes, scale, zero;
};
QuantizedAct emit_quantize_act(Builder& b, ValueId x, const NumberFormat& f, const QuantParams& p) {
  const DType t = f.asymmetric ? DType::u8 : DType::i8;
  Tensor s(DType::f32, {});
  s.data<float>()[0] = p.scale.data<float>()[0];
  QuantizedAct q;
  q.scale = b.constant("x_scale", s);
  q.zero = b.constant("x_zero", scalar_of(t, p.zero_point.data<int32_t>()[0]));
  q.codes = b.node(OpKind::QuantizeLinear, "x_q", {x, q.scale, q.zero}, {}, t);
  const int32_t tmin = t == DType::u8 ? 0 : -128, tmax = t == DType::u8 ? 255 : 127;
  if (f.qmin() != tmin || f.qmax() != tmax)
    q.codes = b.node(OpKind::Clip, "x_clip",
                     {q.codes, b.constant("x_qmin", scalar_of(t, static_cast<int32_t>(f.qmin()))),
                      b.constant("x_qmax", scalar_of(t, static_cast<int32_t>(f.qmax())))},
                     {}, t);
  return q;
}

// ... -> DequantizeLinear: the fake-quantized activation.
ValueId emit_static_act(Builder& b, ValueId x, const NumberFormat& f, const QuantParams& p) {
  QuantizedAct q = emit_quantize_act(b, x, f, p);
  return b.node(OpKind::DequantizeLinear, "x_dq", {q.codes, q.scale, q.zero}, {}, DType::f32);
}

// ESCA's dynamic per-row quantizer as float ops; equals quantize_dynamic_per_row(x, bits, cr, asym).
ValueId emit_dynamic_act(Builder& b, ValueId x, int bits, float cr, bool asym) {
  const std::map<std::string, graph::Attribute> last{{"axes", graph::Attribute(std::vector<int64_t>{-1})},
                                                      {"keepdims", graph::Attribute(int64_t{1})}};
  const DType f = DType::f32;
  ValueId zero = b.scalar("zero", 0.f), crv = b.scalar("clip_ratio", cr);
  ValueId mx = b.node(OpKind::ReduceMax, "row_max", {x}, last, f);
  ValueId mn = b.node(OpKind::Neg, "row_min",
                      {b.node(OpKind::ReduceMax, "row_negmax", {b.node(OpKind::Neg, "neg", {x}, {}, f)}, last, f)}, {}, f);
  ValueId lo = b.node(OpKind::Mul, "lo", {b.node(OpKind::Min, "lo0", {mn, zero}, {}, f), crv}, {}, f);
  ValueId hi = b.node(OpKind::Mul, "hi", {b.node(OpKind::Max, "hi0", {mx, zero}, {}, f), crv}, {}, f);
  if (asym) {
    const float maxq = static_cast<float>((int64_t{1} << bits) - 1);
    ValueId empty = b.node(OpKind::Equal, "empty", {b.node(OpKind::Sub, "span0", {hi, lo}, {}, f), zero}, {}, DType::boolean);
    lo = b.node(OpKind::Where, "lo1", {empty, b.scalar("minus_one", -1.f), lo}, {}, f);
    hi = b.node(OpKind::Where, "hi1", {empty, b.scalar("one", 1.f), hi}, {}, f);
    ValueId scale = b.node(OpKind::Div, "scale", {b.node(OpKind::Sub, "span", {hi, lo}, {}, f), b.scalar("levels", maxq)}, {}, f);
    ValueId zp = b.node(OpKind::Round, "zp", {b.node(OpKind::Div, "zp0", {b.node(OpKind::Neg, "neg_lo", {lo}, {}, f), scale}, {}, f)}, {}, f);
    ValueId q = b.node(OpKind::Add, "q0", {b.node(OpKind::Round, "qr", {b.node(OpKind::Div, "xs", {x, scale}, {}, f)}, {}, f), zp}, {}, f);
    q = b.node(OpKind::Clip, "q", {q, zero, b.scalar("qmax", maxq)}, {}, f);
    return b.node(OpKind::Mul, "x_dyn", {scale, b.node(OpKind::Sub, "qc", {q, zp}, {}, f)}, {}, f);
  }
  const float maxq = static_cast<float>((int64_t{1} << (bits - 1)) - 1);
  ValueId top = b.node(OpKind::Max, "absmax", {b.node(OpKind::Abs, "abs_lo", {lo}, {}, f), hi}, {}, f);
  ValueId empty = b.node(OpKind::Equal, "empty", {top, zero}, {}, DType::boolean);
  ValueId scale = b.node(OpKind::Where, "scale",
                         {empty, b.scalar("one", 1.f), b.node(OpKind::Div, "scale0", {top, b.scalar("levels", maxq)}, {}, f)}, {}, f);
  ValueId q = b.node(OpKind::Round, "qr", {b.node(OpKind::Div, "xs", {x, scale}, {}, f)}, {}, f);
  q = b.node(OpKind::Clip, "q", {q, b.scalar("qmin", -maxq - 1), b.scalar("qmax", maxq)}, {}, f);
  return b.node(OpKind::Mul, "x_dyn", {scale, q}, {}, f);
}

// ---------------------------------------------------------------------------------------------
// Calibration capture and statistics

// The values a value takes over the calibration batches, with every earlier change to the graph in
// effect. Layers are quantized in topological order and each rewrite changes only what its layer's
// output feeds, so the values computed for earlier layers stay valid until after_rewrite() names a value
// they were computed from: capture() runs just the nodes between the values it already holds and the
// one asked for (one pass over the model in all, where rerunning the prefix for every layer costs
// O(layers^2) node evaluations). The kernels are deterministic, so this is bit-identical to the
// rerun (tested in Ptq.ReusedActivationsAreBitIdentical).
class Activations {
 public:
  Activations(const Calibration& calib, int threads, bool reuse) : calib_(calib), threads_(threads), reuse_(reuse) {}

  // Copies: smoothing divides them in place.
  std::vector<Tensor> capture(const Graph& g, ValueId v) {
    std::vector<Tensor> out;
    if (!held_.count(v)) compute(g, v);
    for (const Tensor& t : held_.at(v)) out.push_back(t.clone());
    if (!reuse_) held_.clear();
    return out;
  }

  // `changed` (a layer's output, after its rewrite) and every value computed from it are stale.
  // Then keeps only what the inputs of `layers` (those still to quantize) can be computed from.
  void after_rewrite(const Graph& g, ValueId changed, std::span<const std::string> layers) {
    if (held_.empty()) return;
    const auto consumers = consumers_of(g);
    walk(g, {changed}, [&](ValueId u, std::vector<ValueId>& next) {
      held_.erase(u);
      for (int ni : consumers[static_cast<size_t>(u)])
        for (ValueId o : g.node(ni).outputs)
          if (o != kNoValue) next.push_back(o);
    });
    const std::set<std::string_view> rest(layers.begin(), layers.end());
    std::vector<ValueId> wanted;
    for (const Node& n : g.nodes())
      if (rest.count(n.name))
        for (ValueId in : n.inputs)
          if (in != kNoValue) wanted.push_back(in);
    const Cut cut = cut_for(g, std::move(wanted));
    std::map<ValueId, std::vector<Tensor>> kept;
    for (ValueId f : cut.frontier)
      if (auto it = held_.find(f); it != held_.end()) kept.insert(std::move(*it));
    held_ = std::move(kept);
  }

 private:
  // The nodes needed to compute `wanted` from the held values, the graph inputs and the constants,
  // and the held values and graph inputs they read.
  struct Cut {
    std::vector<char> in;  // per node
    std::set<ValueId> frontier;
  };

  // Calls visit(value, next) once for each value reachable from `todo`; visit pushes onto `next` the
  // values to go on to.
  template <class F>
  static void walk(const Graph& g, std::vector<ValueId> todo, F&& visit) {
    std::vector<char> seen(g.num_values(), 0);
    while (!todo.empty()) {
      const ValueId u = todo.back();
      todo.pop_back();
      if (seen[static_cast<size_t>(u)]) continue;
      seen[static_cast<size_t>(u)] = 1;
      visit(u, todo);
    }
  }

  static std::vector<std::vector<int>> consumers_of(const Graph& g) {
    std::vector<std::vector<int>> c(g.num_values());
    for (size_t i = 0; i < g.nodes().size(); ++i)
      for (ValueId in : g.nodes()[i].inputs)
        if (in != kNoValue) c[static_cast<size_t>(in)].push_back(static_cast<int>(i));
    return c;
  }

  // Node indices come from Value::producer, which Graph::add_node and Graph::sort keep (quantize_model
  // sorts after every rewrite, before the next capture).
  Cut cut_for(const Graph& g, std::vector<ValueId> todo) const {
    const std::set<ValueId> inputs(g.inputs().begin(), g.inputs().end());
    Cut cut;
    cut.in.assign(g.nodes().size(), 0);
    walk(g, std::move(todo), [&](ValueId u, std::vector<ValueId>& next) {
      if (g.value(u).is_constant()) return;
      if (held_.count(u) || inputs.count(u)) {
        cut.frontier.insert(u);
        return;
      }
      const int p = g.value(u).producer;
      if (p < 0 || cut.in[static_cast<size_t>(p)]) return;  // dangling: the executor's verify names it
      cut.in[static_cast<size_t>(p)] = 1;
      for (ValueId in : g.node(p).inputs)
        if (in != kNoValue) next.push_back(in);
    });
    // A held output of a multi-output node that runs anyway is recomputed, not fed.
    for (auto it = cut.frontier.begin(); it != cut.frontier.end();) {
      const int p = g.value(*it).producer;
      it = p >= 0 && cut.in[static_cast<size_t>(p)] && !inputs.count(*it) ? cut.frontier.erase(it) : std::next(it);
    }
    return cut;
  }

  // Runs the cut to v over every batch; holds v and each value it computes that a node outside the
  // cut reads.
  void compute(const Graph& g, ValueId v) {
    const size_t nb = calib_.batches.size();
    if (g.value(v).is_constant()) {
      held_[v] = std::vector<Tensor>(nb, *g.value(v).constant);
      return;
    }
    const Cut cut = cut_for(g, {v});
    Graph sub = g;
    std::vector<graph::Node> nodes;
    for (size_t i = 0; i < g.nodes().size(); ++i)
      if (cut.in[i]) nodes.push_back(g.nodes()[i]);
    std::vector<ValueId> outs{v};
    if (reuse_) {
      const auto consumers = consumers_of(g);
      for (size_t i = 0; i < g.nodes().size(); ++i) {
        if (!cut.in[i]) continue;
        for (ValueId o : g.nodes()[i].outputs) {
          if (o == kNoValue || o == v) continue;
          const auto& c = consumers[static_cast<size_t>(o)];
          if (std::any_of(c.begin(), c.end(), [&](int k) { return !cut.in[static_cast<size_t>(k)]; })) outs.push_back(o);
        }
      }
    }
    sub.nodes() = std::move(nodes);
    const std::vector<ValueId> fed(cut.frontier.begin(), cut.frontier.end());
    sub.mutable_inputs() = fed;
    sub.mutable_outputs() = outs;
    sub.recompute_producers();
    std::vector<std::vector<Tensor>> feeds(nb);
    for (size_t b = 0; b < nb; ++b)
      for (ValueId f : fed) {
        if (auto h = held_.find(f); h != held_.end()) {
          feeds[b].push_back(h->second[b]);
          continue;
        }
        const std::string& name = g.value(f).name;
        auto it = calib_.batches[b].find(name);
        if (it == calib_.batches[b].end()) throw InvalidError(g.name(), "input '" + name + "' is not given");
        feeds[b].push_back(it->second);
      }
    // A held value enters as an input of the dtype it has; its declared shape stays if its rank fits.
    for (size_t k = 0; k < fed.size() && nb > 0; ++k) {
      graph::Value& d = sub.value(fed[k]);
      const Tensor& t = feeds[0][k];
      d.dtype = t.dtype();
      if (d.shape_known && d.shape.size() != t.shape().size()) {
        d.shape.clear();
        d.shape_known = false;
      }
    }
    exec::Executor ex(std::move(sub), {threads_});
    std::vector<std::vector<Tensor>> got(outs.size());
    for (size_t b = 0; b < nb; ++b) {
      std::vector<Tensor> r = ex.run(feeds[b]);
      for (size_t k = 0; k < outs.size(); ++k) got[k].push_back(std::move(r[k]));
    }
    for (size_t k = 0; k < outs.size(); ++k) held_[outs[k]] = std::move(got[k]);
  }

  const Calibration& calib_;
  const int threads_;
  const bool reuse_;
  std::map<ValueId, std::vector<Tensor>> held_;  // per batch, valid in the current graph
};

std::unique_ptr<Observer> make_observer(const std::string& name, const NumberFormat& f) {
  if (name == "minmax") return std::make_unique<MinMaxObserver>();
  if (name == "percentile") return std::make_unique<PercentileObserver>();
  if (name == "mse") return std::make_unique<MseObserver>(f);
  if (name == "kl") return std::make_unique<KlObserver>();
  throw InvalidError("--observer", "unknown observer '" + name + "' (minmax, percentile, mse, kl)");
}

// The importance map brought to h x w: max over the block of map pixels each position covers.
Tensor mask_at(const Tensor& m, int64_t h, int64_t w) {
  const int64_t mh = m.dim(0), mw = m.dim(1);
  Tensor out(DType::f32, {h, w});
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      int64_t y0 = y * mh / h, y1 = std::max(y0 + 1, (y + 1) * mh / h);
      int64_t x0 = x * mw / w, x1 = std::max(x0 + 1, (x + 1) * mw / w);
      float v = 0;
      for (int64_t a = y0; a < y1; ++a)
        for (int64_t c = x0; c < x1; ++c) v = std::max(v, m.data<float>()[a * mw + c]);
      out.data<float>()[y * w + x] = v;
    }
  return out;
}

// x [N, C, H, W] times the mask [H, W] (a copy).
Tensor apply_mask(const Tensor& x, const Tensor& mask) {
  Tensor out = x.clone();
  const int64_t hw = mask.numel(), planes = x.numel() / hw;
  float* o = out.data<float>();
  const float* m = mask.data<float>();
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t k = 0; k < hw; ++k) o[p * hw + k] *= m[k];
  return out;
}

// x / s along channel `axis` (in place).
void divide_channels(Tensor& x, const Tensor& s, int axis) {
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  const int64_t c = s.numel();
  float* d = x.data<float>();
  for (int64_t k = 0; k < x.numel(); ++k) d[k] = d[k] / s.data<float>()[(k / inner) % c];
}

// w * s along axis (in place).
void scale_channels(Tensor& w, const Tensor& s, int axis) {
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < w.rank(); ++d) inner *= w.dim(d);
  const int64_t c = s.numel();
  float* d = w.data<float>();
  for (int64_t k = 0; k < w.numel(); ++k) d[k] = d[k] * s.data<float>()[(k / inner) % c];
}

bool uses_hessian(PtqMethod m) { return m == PtqMethod::Gptq || m == PtqMethod::Esca; }
bool smooths(PtqMethod m) { return m == PtqMethod::SmoothQuant || m == PtqMethod::Esca; }

NumberFormat check_static_act(const NumberFormat& f) {
  if (f.kind != FormatKind::Int || f.granularity != Granularity::PerTensor || f.bits > 8)
    throw InvalidError("--acts", "activation format '" + format_name(f) +
                                     "' is not supported: activations take per-tensor INT of 2..8 bits");
  return f;
}

// Rewrites layer `name` as QLinearConv / QLinearMatMul on the integer codes of its input and
// weight, with a calibrated output scale, followed by DequantizeLinear (and the Gemm's bias in
// float). x is the layer's (smoothed) float input; px its quantization.
void emit_qlinear(Graph& g, Builder& b, const std::string& name, const Layer& l, const Node& n0, ValueId x,
                  const NumberFormat& acts, const QuantParams& px, const QWeight& q, const Shape& wshape,
                  const PtqOptions& o, Activations& acts_of) {
  const bool conv = l.op == OpKind::Conv;
  const ValueId y = n0.outputs.at(0);
  const bool float_bias = !conv && n0.has_input(2);
  Tensor bias;
  if (n0.has_input(2)) {
    if (!is_const(g, n0.inputs[2])) throw InvalidError(name, "a QLinear layer needs a constant bias");
    bias = *g.value(n0.inputs[2]).constant;
  }
  // The output's range over the calibration set (without a Gemm's bias, added after).
  auto obs = make_observer(o.observer, acts);
  for (Tensor t : acts_of.capture(g, y)) {
    if (float_bias) {
      const int64_t nb = bias.numel();
      for (int64_t k = 0; k < t.numel(); ++k) t.data<float>()[k] -= bias.data<float>()[nb == 1 ? 0 : k % nb];
    }
    obs->observe(t);
  }
  Range ry = obs->range();
  const QuantParams py = choose_params(acts, ry.min, ry.max);
  const DType t = acts.asymmetric ? DType::u8 : DType::i8;

  QuantizedAct xq = emit_quantize_act(b, x, acts, px);
  // Weight codes in the layout the op wants: Conv [K, C, kh, kw]; MatMul [in, out].
  const int64_t out = q.codes.dim(0), red = q.codes.dim(1);
  Tensor wcodes(DType::i8, conv ? wshape : Shape{red, out});
  for (int64_t i = 0; i < out; ++i)
    for (int64_t j = 0; j < red; ++j)
      wcodes.data<int8_t>()[conv ? i * red + j : j * out + i] = static_cast<int8_t>(q.codes.data<int32_t>()[i * red + j]);
  const int64_t rows = q.scale.dim(0);
  Tensor ws = rows == 1 ? Tensor(DType::f32, {}) : Tensor(DType::f32, {rows});
  std::memcpy(ws.raw(), q.scale.raw(), ws.nbytes());
  Tensor wz(DType::i8, ws.shape());
  Tensor ys(DType::f32, {});
  ys.data<float>()[0] = py.scale.data<float>()[0];
  std::vector<ValueId> in{xq.codes, xq.scale, xq.zero, b.constant("w_codes", wcodes), b.constant("w_scale", ws),
                          b.constant("w_zero", wz), b.constant("y_scale", ys),
                          b.constant("y_zero", scalar_of(t, py.zero_point.data<int32_t>()[0]))};
  if (conv && bias.defined()) {  // int32 bias on the accumulator's scale x_scale * w_scale
    Tensor bq(DType::i32, {bias.numel()});
    const float sx = px.scale.data<float>()[0];
    for (int64_t k = 0; k < bias.numel(); ++k) {
      const float sw = ws.data<float>()[rows == 1 ? 0 : k];
      bq.data<int32_t>()[k] = static_cast<int32_t>(std::nearbyint(bias.data<float>()[k] / (sx * sw)));
    }
    in.push_back(b.constant("bias_q", bq));
  }
  const ValueId yq = g.add_value(g.fresh_name(name + ".y_q"), t);
  Node& n = g.nodes()[static_cast<size_t>(node_index(g, name))];
  std::map<std::string, graph::Attribute> attrs;
  if (conv) attrs = n.attrs;
  else if (n.attrs.count("_opset")) attrs["_opset"] = n.attrs.at("_opset");
  n.op = conv ? OpKind::QLinearConv : OpKind::QLinearMatMul;
  n.inputs = in;
  n.outputs = {yq};
  n.attrs = attrs;
  if (float_bias) {
    ValueId dq = b.node(OpKind::DequantizeLinear, "y_dq", {yq, in[6], in[7]}, {}, DType::f32);
    g.add_node(OpKind::Add, g.fresh_name(name + ".bias"), {dq, n0.inputs[2]}, {y});
  } else {
    g.add_node(OpKind::DequantizeLinear, g.fresh_name(name + ".y_dq"), {yq, in[6], in[7]}, {y});
  }
  g.sort();
}

}  // namespace

PtqMethod parse_method(const std::string& name) {
  if (name == "rtn") return PtqMethod::Rtn;
  if (name == "smoothquant") return PtqMethod::SmoothQuant;
  if (name == "gptq") return PtqMethod::Gptq;
  if (name == "esca") return PtqMethod::Esca;
  throw InvalidError("--method", "unknown method '" + name + "' (rtn, smoothquant, gptq, esca)");
}

const char* method_name(PtqMethod m) {
  switch (m) {
    case PtqMethod::Rtn: return "rtn";
    case PtqMethod::SmoothQuant: return "smoothquant";
    case PtqMethod::Gptq: return "gptq";
    case PtqMethod::Esca: return "esca";
  }
  return "?";
}

std::vector<std::string> quantizable_layers(const Graph& g) {
  std::vector<std::string> names;
  for (const Node& n : g.nodes())
    if (as_layer(g, n)) names.push_back(n.name);
  return names;
}

Tensor esca_importance_map(const Tensor& images) {
  if (images.dtype() != DType::f32 || images.rank() != 4 || images.dim(0) == 0)
    throw InvalidError("importance map", "needs f32 images [N,C,H,W], got " + shape_str(images.shape()));
  const int64_t n = images.dim(0), h = images.dim(2), w = images.dim(3), per = images.numel() / n;
  Tensor m(DType::f32, {h, w});
  std::vector<double> freq(static_cast<size_t>(h * w), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < per; ++k)
      if (images.data<float>()[i * per + k] != 0) freq[static_cast<size_t>(k % (h * w))] += 1;
  const double top = *std::max_element(freq.begin(), freq.end());
  const double sigma = h / 4.0, cy = (h - 1) / 2.0, cx = (w - 1) / 2.0;
  double best = 0;
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      const double centre = std::exp(-((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (2 * sigma * sigma));
      const double v = (top > 0 ? freq[static_cast<size_t>(y * w + x)] / top : 1.0) * centre;
      m.data<float>()[y * w + x] = static_cast<float>(v);
      best = std::max(best, v);
    }
  if (best > 0)
    for (int64_t k = 0; k < h * w; ++k) m.data<float>()[k] = static_cast<float>(m.data<float>()[k] / best);
  return m;
}

PtqResult quantize_model(const Graph& g_in, const Calibration& calib, const PtqOptions& o) {
  if (calib.batches.empty()) throw InvalidError("--calib", "no calibration batches");
  Graph g = g_in;
  bool has_deconv = false;
  for (const Node& n : g.nodes()) has_deconv |= n.op == OpKind::ConvTranspose;
  if (has_deconv) g = graph::subpixel_conv_transpose(g);
  g.set_opset(std::max(g.opset(), 13));

  const std::vector<std::string> layers = quantizable_layers(g);
  const std::set<std::string> layer_set(layers.begin(), layers.end());
  std::map<std::string, LayerSetting> plan;
  for (const auto& [name, s] : o.layers) {
    if (layer_set.count(name)) plan[name] = s;
    else if (layer_set.count(name + ".subpixel_conv")) plan[name + ".subpixel_conv"] = s;
    else
      throw InvalidError("plan", "layer '" + name + "' is not a quantizable layer of " + g_in.name() + " (" +
                                     std::to_string(layers.size()) + " layers; `coda quantize MODEL --list` names them)");
  }
  // Formats are checked before any work, so that a bad one fails at once.
  auto check_acts = [&](const std::optional<NumberFormat>& acts, std::optional<PtqMethod> m) {
    if (!acts) return;
    const PtqMethod method = m.value_or(o.method);
    const ActMode mode = o.act_mode.value_or(method == PtqMethod::Esca ? ActMode::Dynamic : ActMode::Static);
    if (mode == ActMode::Static) check_static_act(*acts);
    else if (acts->kind != FormatKind::Int)
      throw InvalidError("--acts", "dynamic activations take INT formats, not '" + format_name(*acts) + "'");
  };
  check_acts(o.acts, std::nullopt);
  for (const auto& [name, set] : plan) check_acts(set.acts, set.method);
  for (const auto& batch : calib.batches)
    for (const auto& [name, t] : batch) {
      ValueId v = g.find(name);
      if (v == kNoValue) throw InvalidError("calibration", "the model has no input named '" + name + "'");
      const auto& val = g.value(v);
      bool ok = t.dtype() == val.dtype && t.rank() == static_cast<int64_t>(val.shape.size());
      for (size_t d = 1; ok && d < val.shape.size(); ++d) ok = val.shape[d] < 0 || val.shape[d] == t.dim(static_cast<int64_t>(d));
      if (!ok)
        throw InvalidError("calibration", format("input '%s' is %s %s, the model wants %s %s", name.c_str(),
                                                  dtype_name(t.dtype()), shape_str(t.shape()).c_str(),
                                                  dtype_name(val.dtype), shape_str(val.shape).c_str()));
    }

  PtqResult result;
  g.recompute_producers();  // Activations reads them; every rewrite below sorts, which keeps them
  Activations acts_of(calib, o.threads, o.reuse_activations);
  size_t li = 0;
  // After layer li's rewrite: what its output fed is stale; keep what layers li+1.. read.
  auto rewritten = [&](const Node& n0) { acts_of.after_rewrite(g, n0.outputs.at(0), std::span(layers).subspan(li + 1)); };
  for (; li < layers.size(); ++li) {
    const std::string& name = layers[li];
    if (o.progress) o.progress(name, static_cast<int>(li), static_cast<int>(layers.size()));
    const LayerSetting set = plan.count(name) ? plan.at(name) : LayerSetting{};
    const Node n0 = g.nodes()[static_cast<size_t>(node_index(g, name))];  // a copy: adding nodes moves them
    const Layer l = *as_layer(g, n0);
    LayerReport rep;
    rep.name = name;
    rep.op = graph::op_name(l.op);
    if (set.skip) {
      rep.method = "skip";
      result.layers.push_back(rep);
      continue;
    }
    const PtqMethod method = set.method.value_or(o.method);
    std::optional<NumberFormat> acts = set.float_acts ? std::nullopt : (set.acts ? set.acts : o.acts);
    const NumberFormat wfmt = set.weights.value_or(o.weights);
    const ActMode mode = o.act_mode.value_or(method == PtqMethod::Esca ? ActMode::Dynamic : ActMode::Static);
    if (acts && mode == ActMode::Static) check_static_act(*acts);
    if (acts && mode == ActMode::Dynamic && acts->kind != FormatKind::Int)
      throw InvalidError("--acts", "dynamic activations take INT formats, not '" + format_name(*acts) + "'");
    Builder b{g, name};
    rep.method = method_name(method);

    if (l.bmm) {
      if (!o.quantize_bmm || !acts) {
        rep.method = "fp32";
        result.layers.push_back(rep);
        continue;
      }
      // Both operands, static per tensor (per-row scales along the reduction axis of the second
      // operand would not be an integer matmul).
      const NumberFormat af = check_static_act(*acts);
      for (size_t k = 0; k < 2; ++k) {
        const int ni = node_index(g, name);
        const ValueId x = g.nodes()[static_cast<size_t>(ni)].inputs[k];
        auto obs = make_observer(o.observer, af);
        for (const Tensor& t : acts_of.capture(g, x)) obs->observe(t);
        Range r = obs->range();
        ValueId xq = emit_static_act(b, x, af, choose_params(af, r.min, r.max));
        g.nodes()[static_cast<size_t>(node_index(g, name))].inputs[k] = xq;
        g.sort();
      }
      rep.acts = format_name(af) + " (static)";
      rep.method = "static";
      rewritten(n0);
      result.layers.push_back(rep);
      continue;
    }

    // The layer's float weight and calibration inputs.
    ValueId wv = n0.inputs[1];
    Tensor w = g.value(wv).constant->clone();
    const Shape wshape = w.shape();
    const bool conv = l.op == OpKind::Conv;
    // ESCA smooths the (sub-pixel) convolutions it was designed for, whose per-row activation
    // quantizer sees one channel per row; its fully-connected layers get the weighted GPTQ only
    // (ESCA's code leaves texture_fc out of PTQ altogether).
    const bool want_smooth = smooths(method) && acts && !l.trans_a && l.groups == 1 &&
                             (method != PtqMethod::Esca || (conv && o.esca_smooth));
    const bool want_h = uses_hessian(method) && wfmt.kind == FormatKind::Int && l.groups == 1 && !l.trans_a;
    if (uses_hessian(method) && !want_h) rep.method = "rtn";
    std::vector<Tensor> xs;
    if (acts || want_smooth || want_h) xs = acts_of.capture(g, n0.inputs[0]);
    const int act_axis = conv ? 1 : -1;
    auto masked = [&](const Tensor& x) {
      if (method != PtqMethod::Esca || !conv || !o.importance.defined() || x.rank() != 4) return x;
      return apply_mask(x, mask_at(o.importance, x.dim(2), x.dim(3)));
    };

    // Smoothing (SmoothQuant, ESCA ICAS + FFAS).
    Tensor s;
    if (want_smooth) {
      const int64_t c = conv ? xs[0].dim(1) : xs[0].dim(-1);
      ChannelStats stats(c);
      for (const Tensor& x : xs) stats.add(masked(x), act_axis < 0 ? static_cast<int>(x.rank()) - 1 : act_axis);
      const double alpha = o.alpha >= 0 ? o.alpha : (method == PtqMethod::Esca ? 0.8 : 0.5);
      s = smoothing_scales(stats.absmax(), weight_channel_absmax(w, weight_in_axis(l)), alpha,
                           method == PtqMethod::Esca ? 1e-8 : 1e-5);
      if (method == PtqMethod::Esca && o.ffas_percent > 0) {
        Tensor before = s.clone();
        exempt_top_variance(s, stats.variance(), o.ffas_percent);
        for (int64_t k = 0; k < c; ++k)
          rep.exempt_channels += before.data<float>()[k] != 1.f && s.data<float>()[k] == 1.f;
      }
      for (int64_t k = 0; k < c; ++k) rep.smoothed_channels += s.data<float>()[k] != 1.f;
      scale_channels(w, s, weight_in_axis(l));
      for (Tensor& x : xs) divide_channels(x, s, act_axis < 0 ? static_cast<int>(x.rank()) - 1 : act_axis);
    }

    // Weights.
    Tensor w2 = weight_matrix(w, l);
    QWeight q;
    if (want_h) {
      HessianAccumulator acc(w2.dim(1));
      for (const Tensor& x : xs) acc.add_rows(conv ? unfold_conv_input(masked(x), l.window, 0) : flatten_rows(x));
      GptqResult r = gptq_quantize(w2, acc.hessian(), wfmt, o.gptq);
      q.w_hat = r.weight;
      q.codes = r.codes;
      q.scale = r.scale;
      q.zero = r.zero_point;
      q.group_index = r.group_index;
      rep.error_rtn = r.error_rtn;
      rep.error_gptq = r.error_gptq;
    } else {
      q = rtn_weight(w2, wfmt);
    }
    rep.weights = format_name(wfmt);
    ValueId wq = emit_weight(b, q, l, wshape, wfmt);

    // Activations.
    ValueId x = n0.inputs[0];
    if (want_smooth) {
      Tensor sb = s.clone();
      if (conv) sb = sb.reshaped({s.numel(), 1, 1});
      x = b.node(OpKind::Div, "smooth", {x, b.constant("smooth_scale", std::move(sb))}, {}, DType::f32);
    }
    const bool qlinear = o.qlinear && acts && mode == ActMode::Static && acts->bits == 8 && q.codes.defined() &&
                         !wfmt.asymmetric && wfmt.bits <= 8 && q.scale.dim(1) == 1 &&
                         (conv || (n0.f("alpha", 1.f) == 1.f && n0.f("beta", 1.f) == 1.f && !l.trans_a));
    if (qlinear) {
      auto obs = make_observer(o.observer, *acts);
      for (const Tensor& t : xs) obs->observe(t);
      Range r = obs->range();
      const QuantParams px = choose_params(*acts, r.min, r.max);
      rep.acts = format_name(*acts) + " (static " + o.observer + ")";
      rep.qlinear = true;
      emit_qlinear(g, b, name, l, n0, x, *acts, px, q, wshape, o, acts_of);
      rewritten(n0);
      result.layers.push_back(rep);
      continue;
    }
    if (acts && mode == ActMode::Static) {
      auto obs = make_observer(o.observer, *acts);
      for (const Tensor& t : xs) obs->observe(t);
      Range r = obs->range();
      x = emit_static_act(b, x, *acts, choose_params(*acts, r.min, r.max));
      rep.acts = format_name(*acts) + " (static " + o.observer + ")";
    } else if (acts) {
      x = emit_dynamic_act(b, x, acts->bits, o.clip_ratio, acts->asymmetric);
      rep.acts = format_name(*acts) + " (dynamic per row)";
    }
    Node& n = g.nodes()[static_cast<size_t>(node_index(g, name))];
    n.inputs[0] = x;
    n.inputs[1] = wq;
    g.sort();
    rewritten(n0);
    result.layers.push_back(rep);
  }
  g.remove_dead_nodes();
  graph::infer_shapes(g);
  result.graph = std::move(g);
  return result;
}

}  // namespace coda::quant
