#include "coda/graph/infer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace coda::graph {

namespace {

struct Ctx {
  Graph& g;
  const Node& n;
  std::string where;

  const Value* in(size_t k) const { return n.has_input(k) ? &g.value(n.inputs[k]) : nullptr; }
  bool known(size_t k) const { return in(k) && in(k)->shape_known; }
  const Shape& shape(size_t k) const { return in(k)->shape; }
  DType dtype(size_t k) const { return in(k) ? in(k)->dtype : DType::undefined; }
  const Tensor* constant(size_t k) const { return in(k) && in(k)->is_constant() ? &*in(k)->constant : nullptr; }
  int64_t rank(size_t k) const { return static_cast<int64_t>(shape(k).size()); }
  int opset() const { return static_cast<int>(n.i("_opset", g.opset())); }

  void set(size_t k, DType dt, const Shape& s, bool shape_known = true) const {
    if (k >= n.outputs.size() || n.outputs[k] == kNoValue) return;
    Value& v = g.value(n.outputs[k]);
    if (v.is_constant()) return;
    if (dt != DType::undefined) v.dtype = dt;
    v.shape = s;
    v.shape_known = shape_known;
  }
  void set_dtype(size_t k, DType dt) const {
    if (k >= n.outputs.size() || n.outputs[k] == kNoValue) return;
    Value& v = g.value(n.outputs[k]);
    if (!v.is_constant() && dt != DType::undefined) v.dtype = dt;
  }
  [[noreturn]] void fail(const std::string& what) const { throw InvalidError(where, what); }
  // A size computed from attribute values, which may be anything: fails rather than overflow int64.
  int64_t size(__int128 v) const {
    if (v > INT64_MAX || v < INT64_MIN) fail("a computed size does not fit in 64 bits");
    return static_cast<int64_t>(v);
  }

  int64_t axis(int64_t a, int64_t r) const {
    if (a < -r || a >= r) fail(format("axis %lld is out of range for rank %lld", (long long)a, (long long)r));
    return a < 0 ? a + r : a;
  }
  // Ints from attribute `attr` (older opsets) or from constant input k (newer); nullopt if unknown.
  std::optional<std::vector<int64_t>> ints_attr_or_input(const std::string& attr, size_t k) const {
    if (n.has(attr)) return n.ints(attr);
    if (n.has_input(k)) {
      if (auto* c = constant(k)) return c->to_i64_vector();
      return std::nullopt;
    }
    return std::vector<int64_t>{};
  }
};

// Numpy-style broadcast of two shapes; -1 (unknown) dims stay unknown unless the other is > 1.
Shape broadcast(const Ctx& c, const Shape& a, const Shape& b) {
  size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da == db) out[i] = da;
    else if (da == 1) out[i] = db;
    else if (db == 1) out[i] = da;
    else if (da < 0) out[i] = db;
    else if (db < 0) out[i] = da;
    else c.fail("shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
  }
  return out;
}

// Output spatial sizes of a conv or pool window, per ONNX's formulas.
Shape window_out(const Ctx& c, const Shape& x, const std::vector<int64_t>& kernel, bool ceil_mode) {
  size_t sp = kernel.size();
  if (x.size() != sp + 2) c.fail(format("input rank %zu does not match a %zu-d kernel", x.size(), sp));
  auto strides = c.n.ints("strides", std::vector<int64_t>(sp, 1));
  auto dil = c.n.ints("dilations", std::vector<int64_t>(sp, 1));
  auto pads = c.n.ints("pads", std::vector<int64_t>(2 * sp, 0));
  std::string ap = c.n.s("auto_pad", "NOTSET");
  if (strides.size() != sp || dil.size() != sp || pads.size() != 2 * sp) c.fail("strides/dilations/pads length mismatch");
  Shape out;
  for (size_t i = 0; i < sp; ++i) {
    int64_t in = x[2 + i];
    if (in < 0) {
      out.push_back(-1);
      continue;
    }
    if (strides[i] <= 0 || dil[i] <= 0 || kernel[i] <= 0) c.fail("strides, dilations and kernel must be positive");
    int64_t eff = c.size(__int128{kernel[i] - 1} * dil[i] + 1);
    int64_t o;
    if (ap == "SAME_UPPER" || ap == "SAME_LOWER") o = c.size((__int128{in} + strides[i] - 1) / strides[i]);
    else if (ap == "VALID") o = (in - eff) / strides[i] + 1;
    else {
      int64_t span = c.size(__int128{in} + pads[i] + pads[i + sp] - eff);
      o = c.size((ceil_mode ? (__int128{span} + strides[i] - 1) / strides[i] : span / strides[i]) + 1);
      // With ceil_mode, the last window must start inside the input or left padding.
      if (ceil_mode && __int128{o - 1} * strides[i] >= __int128{in} + pads[i]) --o;
    }
    if (o <= 0) c.fail(format("window does not fit: output size %lld", (long long)o));
    out.push_back(o);
  }
  return out;
}

Shape matmul_shape(const Ctx& c, Shape a, Shape b) {
  if (a.empty() || b.empty()) c.fail("MatMul operands must have rank >= 1");
  bool a1 = a.size() == 1, b1 = b.size() == 1;
  if (a1) a.insert(a.begin(), 1);
  if (b1) b.push_back(1);
  int64_t k1 = a.back(), k2 = b[b.size() - 2];
  if (k1 >= 0 && k2 >= 0 && k1 != k2) c.fail(format("inner dimensions %lld and %lld differ", (long long)k1, (long long)k2));
  Shape ba(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
  Shape out = broadcast(c, ba, bb);
  if (!a1) out.push_back(a[a.size() - 2]);
  if (!b1) out.push_back(b.back());
  return out;
}

void infer_conv(const Ctx& c, DType out_dtype) {
  if (!c.known(0) || !c.known(1)) return c.set_dtype(0, out_dtype);
  const Shape& x = c.shape(0);
  const Shape& w = c.shape(1);
  if (x.size() < 3) c.fail("Conv input must have rank >= 3");
  if (w.size() != x.size()) c.fail("weight rank " + std::to_string(w.size()) + " != input rank " + std::to_string(x.size()));
  int64_t group = c.n.i("group", 1);
  if (group <= 0) c.fail("group must be positive");
  if (x[1] >= 0 && w[1] >= 0 && x[1] != __int128{w[1]} * group)
    c.fail(format("input has %lld channels, weight expects %lld x group %lld", (long long)x[1], (long long)w[1], (long long)group));
  auto kernel = c.n.ints("kernel_shape", Shape(w.begin() + 2, w.end()));
  Shape out{x[0], w[0]};
  for (int64_t d : window_out(c, x, kernel, false)) out.push_back(d);
  c.set(0, out_dtype, out);
}

void infer_conv_transpose(const Ctx& c) {
  if (!c.known(0) || !c.known(1)) return c.set_dtype(0, c.dtype(0));
  const Shape& x = c.shape(0);
  const Shape& w = c.shape(1);
  if (x.size() < 3 || w.size() != x.size()) c.fail("ConvTranspose input/weight ranks do not match");
  size_t sp = x.size() - 2;
  int64_t group = c.n.i("group", 1);
  if (x[1] >= 0 && w[0] >= 0 && x[1] != w[0]) c.fail("input channels do not match the weight");
  auto kernel = c.n.ints("kernel_shape", Shape(w.begin() + 2, w.end()));
  auto strides = c.n.ints("strides", Shape(sp, 1));
  auto dil = c.n.ints("dilations", Shape(sp, 1));
  auto pads = c.n.ints("pads", Shape(2 * sp, 0));
  auto outpad = c.n.ints("output_padding", Shape(sp, 0));
  auto out_shape = c.n.ints("output_shape");
  if (kernel.size() != sp || strides.size() != sp || dil.size() != sp || pads.size() != 2 * sp || outpad.size() != sp)
    c.fail("kernel/strides/dilations/pads/output_padding length mismatch");
  if (!out_shape.empty() && out_shape.size() < sp)
    c.fail(format("output_shape has %zu values for %zu spatial dims", out_shape.size(), sp));
  if (group < 1) c.fail(format("group %lld is not positive", (long long)group));
  Shape out{x[0], w[1] < 0 ? -1 : c.size(__int128{w[1]} * group)};
  for (size_t i = 0; i < sp; ++i) {
    if (!out_shape.empty()) {
      int64_t o = out_shape[out_shape.size() - sp + i];
      if (o <= 0) c.fail("ConvTranspose output_shape is not positive");
      out.push_back(o);
      continue;
    }
    if (x[2 + i] < 0) {
      out.push_back(-1);
      continue;
    }
    int64_t o = c.size(__int128{strides[i]} * (x[2 + i] - 1) + outpad[i] + (__int128{kernel[i]} - 1) * dil[i] + 1 -
                       pads[i] - pads[i + sp]);
    std::string ap = c.n.s("auto_pad", "NOTSET");
    if (ap == "SAME_UPPER" || ap == "SAME_LOWER") o = c.size(__int128{x[2 + i]} * strides[i]);
    if (o <= 0) c.fail("ConvTranspose output size is not positive");
    out.push_back(o);
  }
  c.set(0, c.dtype(0), out);
}

void infer_reduce(const Ctx& c) {
  if (!c.known(0)) return c.set_dtype(0, c.dtype(0));
  auto axes = c.ints_attr_or_input("axes", 1);
  if (!axes) return c.set_dtype(0, c.dtype(0));
  bool keep = c.n.i("keepdims", 1) != 0;
  int64_t r = c.rank(0);
  std::vector<bool> red(static_cast<size_t>(r), false);
  if (axes->empty()) {
    if (c.n.i("noop_with_empty_axes", 0)) return c.set(0, c.dtype(0), c.shape(0));
    std::fill(red.begin(), red.end(), true);
  }
  for (int64_t a : *axes) red[static_cast<size_t>(c.axis(a, r))] = true;
  Shape out;
  for (int64_t i = 0; i < r; ++i) {
    if (!red[static_cast<size_t>(i)]) out.push_back(c.shape(0)[i]);
    else if (keep) out.push_back(1);
  }
  c.set(0, c.dtype(0), out);
}

void infer_reshape(const Ctx& c) {
  const Tensor* s = c.constant(1);
  if (!s || !c.known(0)) return c.set_dtype(0, c.dtype(0));
  auto target = s->to_i64_vector();
  bool allowzero = c.n.i("allowzero", 0) != 0;
  const Shape& x = c.shape(0);
  Shape out;
  int64_t infer_at = -1, known = 1;
  bool unknown_in = false;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == 0 && !allowzero) {
      if (i >= x.size()) c.fail("Reshape copies dim " + std::to_string(i) + " the input does not have");
      d = x[i];
    }
    if (d == -1) {
      if (infer_at >= 0) c.fail("Reshape has more than one -1");
      infer_at = static_cast<int64_t>(i);
    } else if (d < -1) {
      c.fail("Reshape dimension " + std::to_string(d) + " is invalid");
    } else if (d < 0) {
      unknown_in = true;
    } else {
      known = c.size(__int128{known} * d);
    }
    out.push_back(d);
  }
  int64_t total = 1;
  for (int64_t d : x) {
    unknown_in |= d < 0;
    if (d >= 0) total = c.size(__int128{total} * d);
  }
  if (unknown_in) total = -1;
  if (infer_at >= 0) {
    out[static_cast<size_t>(infer_at)] = (total < 0 || known == 0) ? (known == 0 ? 0 : -1) : total / known;
    if (total >= 0 && known != 0 && total % known) c.fail("cannot reshape " + shape_str(x) + " to " + shape_str(target));
  } else if (total >= 0 && known != total) {
    c.fail("cannot reshape " + shape_str(x) + " (" + std::to_string(total) + " elements) to " + shape_str(out));
  }
  c.set(0, c.dtype(0), out);
}

void infer_slice(const Ctx& c) {
  if (!c.known(0)) return c.set_dtype(0, c.dtype(0));
  const Shape& x = c.shape(0);
  std::vector<int64_t> starts, ends, axes, steps;
  if (c.n.has("starts")) {  // opset < 10
    starts = c.n.ints("starts");
    ends = c.n.ints("ends");
    axes = c.n.ints("axes");
  } else {
    const Tensor *ts = c.constant(1), *te = c.constant(2);
    if (!ts || !te || (c.n.has_input(3) && !c.constant(3)) || (c.n.has_input(4) && !c.constant(4)))
      return c.set_dtype(0, c.dtype(0));
    starts = ts->to_i64_vector();
    ends = te->to_i64_vector();
    if (c.n.has_input(3)) axes = c.constant(3)->to_i64_vector();
    if (c.n.has_input(4)) steps = c.constant(4)->to_i64_vector();
  }
  int64_t r = static_cast<int64_t>(x.size());
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    c.fail("Slice starts/ends/axes/steps lengths differ");
  Shape out = x;
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t a = c.axis(axes[i], r), d = x[static_cast<size_t>(a)];
    if (steps[i] == 0) c.fail("Slice step is 0");
    if (d < 0) continue;
    int64_t s = starts[i], e = ends[i], st = steps[i];
    s = s < 0 ? s + d : s;
    e = e < 0 ? e + d : e;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
      out[static_cast<size_t>(a)] = e > s ? static_cast<int64_t>((__int128{e} - s + st - 1) / st) : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
      out[static_cast<size_t>(a)] = s > e ? static_cast<int64_t>((__int128{s} - e - st - 1) / -__int128{st}) : 0;
    }
  }
  c.set(0, c.dtype(0), out);
}

void infer_split(const Ctx& c) {
  size_t nout = c.n.outputs.size();
  for (size_t k = 0; k < nout; ++k) c.set_dtype(k, c.dtype(0));
  if (!c.known(0)) return;
  const Shape& x = c.shape(0);
  int64_t a = c.axis(c.n.i("axis", 0), static_cast<int64_t>(x.size()));
  int64_t d = x[static_cast<size_t>(a)];
  auto split = c.ints_attr_or_input("split", 1);
  if (!split) return;
  if (split->empty()) {
    if (d < 0) return;
    int64_t parts = static_cast<int64_t>(nout);
    int64_t each = (d + parts - 1) / parts;
    for (int64_t k = 0; k < parts; ++k) split->push_back(std::max<int64_t>(0, std::min(each, d - k * each)));  // as the kernel
  }
  if (split->size() != nout) c.fail("Split has " + std::to_string(split->size()) + " sizes for " + std::to_string(nout) + " outputs");
  __int128 sum = 0;
  for (int64_t v : *split) {
    if (v < 0) c.fail(format("Split size %lld is negative", (long long)v));
    sum += v;
  }
  if (d >= 0 && sum != d)
    c.fail(format("Split sizes %s do not add up to the dimension, %lld", shape_str(*split).c_str(), (long long)d));
  for (size_t k = 0; k < nout; ++k) {
    Shape s = x;
    s[static_cast<size_t>(a)] = (*split)[k];
    c.set(k, c.dtype(0), s);
  }
}

void infer_pool(const Ctx& c) {
  if (!c.known(0)) return c.set_dtype(0, c.dtype(0));
  auto kernel = c.n.ints("kernel_shape");
  if (kernel.empty()) c.fail("pool has no kernel_shape");
  const Shape& x = c.shape(0);
  Shape spatial = window_out(c, x, kernel, c.n.i("ceil_mode", 0) != 0);  // checks the input's rank
  Shape out{x[0], x[1]};
  out.insert(out.end(), spatial.begin(), spatial.end());
  c.set(0, c.dtype(0), out);
  c.set(1, DType::i64, out);
}

void infer_node_impl(const Ctx& c) {
  const Node& n = c.n;
  switch (n.op) {
    case OpKind::Constant: return;  // folded
    case OpKind::Relu: case OpKind::Sigmoid: case OpKind::Tanh: case OpKind::Exp: case OpKind::Log:
    case OpKind::Sqrt: case OpKind::Erf: case OpKind::Neg: case OpKind::Abs: case OpKind::Reciprocal:
    case OpKind::Floor: case OpKind::Ceil: case OpKind::Round: case OpKind::LeakyRelu: case OpKind::Clip: case OpKind::Identity:
    case OpKind::Gelu: case OpKind::Softmax: case OpKind::LogSoftmax: case OpKind::BatchNormalization:
    case OpKind::Not:
      if (c.known(0)) c.set(0, c.dtype(0), c.shape(0));
      else c.set_dtype(0, c.dtype(0));
      return;
    case OpKind::Dropout:
      if (c.known(0)) {
        c.set(0, c.dtype(0), c.shape(0));
        c.set(1, DType::boolean, c.shape(0));
      }
      return;
    case OpKind::LayerNormalization: {
      if (!c.known(0)) return c.set_dtype(0, c.dtype(0));
      c.set(0, c.dtype(0), c.shape(0));
      int64_t a = c.axis(n.i("axis", -1), c.rank(0));
      Shape st = c.shape(0);
      for (size_t i = static_cast<size_t>(a); i < st.size(); ++i) st[i] = 1;
      c.set(1, DType::f32, st);
      c.set(2, DType::f32, st);
      return;
    }
    case OpKind::Add: case OpKind::Sub: case OpKind::Mul: case OpKind::Div: case OpKind::Pow:
    case OpKind::Max: case OpKind::Min: case OpKind::Equal: case OpKind::Less: case OpKind::Greater: {
      bool cmp = n.op == OpKind::Equal || n.op == OpKind::Less || n.op == OpKind::Greater;
      DType dt = cmp ? DType::boolean : c.dtype(0);
      for (size_t k = 0; k < n.inputs.size(); ++k)
        if (!c.known(k)) return c.set_dtype(0, dt);
      Shape s = c.shape(0);
      for (size_t k = 1; k < n.inputs.size(); ++k) s = broadcast(c, s, c.shape(k));
      return c.set(0, dt, s);
    }
    case OpKind::Where:
      if (!c.known(0) || !c.known(1) || !c.known(2)) return c.set_dtype(0, c.dtype(1));
      return c.set(0, c.dtype(1), broadcast(c, broadcast(c, c.shape(0), c.shape(1)), c.shape(2)));
    case OpKind::Conv: return infer_conv(c, c.dtype(0));
    case OpKind::ConvInteger: return infer_conv(c, DType::i32);
    case OpKind::QLinearConv: {
      // inputs: x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, [B]
      if (!c.known(0) || !c.known(3)) return c.set_dtype(0, c.dtype(7));
      Node tmp = n;
      tmp.inputs = {n.inputs[0], n.inputs[3]};
      Ctx c2{c.g, tmp, c.where};
      infer_conv(c2, c.dtype(7));
      return;
    }
    case OpKind::ConvTranspose: return infer_conv_transpose(c);
    case OpKind::Gemm: {
      if (!c.known(0) || !c.known(1)) return c.set_dtype(0, c.dtype(0));
      const Shape &a = c.shape(0), &b = c.shape(1);
      if (a.size() != 2 || b.size() != 2) c.fail("Gemm operands must be 2-D");
      bool ta = n.i("transA", 0), tb = n.i("transB", 0);
      int64_t m = ta ? a[1] : a[0], ka = ta ? a[0] : a[1], kb = tb ? b[1] : b[0], nn = tb ? b[0] : b[1];
      if (ka >= 0 && kb >= 0 && ka != kb) c.fail(format("Gemm inner dimensions %lld and %lld differ", (long long)ka, (long long)kb));
      return c.set(0, c.dtype(0), {m, nn});
    }
    case OpKind::MatMul:
      if (!c.known(0) || !c.known(1)) return c.set_dtype(0, c.dtype(0));
      return c.set(0, c.dtype(0), matmul_shape(c, c.shape(0), c.shape(1)));
    case OpKind::MatMulInteger:
      if (!c.known(0) || !c.known(1)) return c.set_dtype(0, DType::i32);
      return c.set(0, DType::i32, matmul_shape(c, c.shape(0), c.shape(1)));
    case OpKind::QLinearMatMul:
      if (!c.known(0) || !c.known(3)) return c.set_dtype(0, c.dtype(7));
      return c.set(0, c.dtype(7), matmul_shape(c, c.shape(0), c.shape(3)));
    case OpKind::MaxPool: case OpKind::AveragePool: return infer_pool(c);
    case OpKind::GlobalAveragePool: case OpKind::GlobalMaxPool: {
      if (!c.known(0)) return c.set_dtype(0, c.dtype(0));
      Shape s = c.shape(0);
      for (size_t i = 2; i < s.size(); ++i) s[i] = 1;
      return c.set(0, c.dtype(0), s);
    }
    case OpKind::ReduceMean: case OpKind::ReduceSum: case OpKind::ReduceMax: return infer_reduce(c);
    case OpKind::Reshape: return infer_reshape(c);
    case OpKind::Flatten: {
      if (!c.known(0)) return c.set_dtype(0, c.dtype(0));
      const Shape& x = c.shape(0);
      int64_t r = c.rank(0), a = n.i("axis", 1);
      if (a < -r || a > r) c.fail("Flatten axis out of range");
      if (a < 0) a += r;
      int64_t d0 = 1, d1 = 1;
      for (int64_t i = 0; i < r; ++i) {
        int64_t& d = i < a ? d0 : d1;
        d = (d < 0 || x[i] < 0) ? -1 : c.size(__int128{d} * x[i]);
      }
      return c.set(0, c.dtype(0), {d0, d1});
    }
    case OpKind::Transpose: {
      if (!c.known(0)) return c.set_dtype(0, c.dtype(0));
      int64_t r = c.rank(0);
      auto perm = n.ints("perm");
      if (perm.empty())
        for (int64_t i = r - 1; i >= 0; --i) perm.push_back(i);
      if (static_cast<int64_t>(perm.size()) != r) c.fail("Transpose perm has the wrong length");
      Shape out;
      for (int64_t p : perm) out.push_back(c.shape(0)[static_cast<size_t>(c.axis(p, r))]);
      return c.set(0, c.dtype(0), out);
    }
    case OpKind::Concat: {
      for (size_t k = 0; k < n.inputs.size(); ++k)
        if (!c.known(k)) return c.set_dtype(0, c.dtype(0));
      Shape out = c.shape(0);
      int64_t a = c.axis(n.i("axis"), c.rank(0));
      for (size_t k = 1; k < n.inputs.size(); ++k) {
        const Shape& s = c.shape(k);
        if (s.size() != out.size()) c.fail("Concat inputs have different ranks");
        for (size_t i = 0; i < s.size(); ++i) {
          if (static_cast<int64_t>(i) == a) out[i] = (out[i] < 0 || s[i] < 0) ? -1 : c.size(__int128{out[i]} + s[i]);
          else if (out[i] >= 0 && s[i] >= 0 && out[i] != s[i]) c.fail("Concat inputs differ off the axis");
        }
      }
      return c.set(0, c.dtype(0), out);
    }
    case OpKind::Split: return infer_split(c);
    case OpKind::Slice: return infer_slice(c);
    case OpKind::Gather: {
      if (!c.known(0) || !c.known(1)) return c.set_dtype(0, c.dtype(0));
      const Shape &x = c.shape(0), &idx = c.shape(1);
      int64_t a = c.axis(n.i("axis", 0), c.rank(0));
      Shape out(x.begin(), x.begin() + a);
      out.insert(out.end(), idx.begin(), idx.end());
      out.insert(out.end(), x.begin() + a + 1, x.end());
      return c.set(0, c.dtype(0), out);
    }
    case OpKind::Unsqueeze: {
      auto axes = c.ints_attr_or_input("axes", 1);
      if (!c.known(0) || !axes) return c.set_dtype(0, c.dtype(0));
      int64_t r = c.rank(0) + static_cast<int64_t>(axes->size());
      std::vector<bool> ins(static_cast<size_t>(r), false);
      for (int64_t a : *axes) {
        int64_t aa = c.axis(a, r);
        if (ins[static_cast<size_t>(aa)]) c.fail("Unsqueeze repeats an axis");
        ins[static_cast<size_t>(aa)] = true;
      }
      Shape out;
      size_t j = 0;
      for (int64_t i = 0; i < r; ++i) out.push_back(ins[static_cast<size_t>(i)] ? 1 : c.shape(0)[j++]);
      return c.set(0, c.dtype(0), out);
    }
    case OpKind::Squeeze: {
      auto axes = c.ints_attr_or_input("axes", 1);
      if (!c.known(0) || !axes) return c.set_dtype(0, c.dtype(0));
      const Shape& x = c.shape(0);
      std::vector<bool> drop(x.size(), false);
      if (axes->empty()) {
        for (size_t i = 0; i < x.size(); ++i) {
          if (x[i] < 0) return c.set_dtype(0, c.dtype(0));
          drop[i] = x[i] == 1;
        }
      }
      for (int64_t a : *axes) {
        size_t aa = static_cast<size_t>(c.axis(a, c.rank(0)));
        if (x[aa] >= 0 && x[aa] != 1) c.fail("Squeeze of a dimension that is not 1");
        drop[aa] = true;
      }
      Shape out;
      for (size_t i = 0; i < x.size(); ++i)
        if (!drop[i]) out.push_back(x[i]);
      return c.set(0, c.dtype(0), out);
    }
    case OpKind::Shape: {
      if (!c.known(0)) return c.set_dtype(0, DType::i64);
      int64_t r = c.rank(0);
      int64_t s = n.i("start", 0), e = n.i("end", r);
      s = std::clamp<int64_t>(s < 0 ? s + r : s, 0, r);
      e = std::clamp<int64_t>(e < 0 ? e + r : e, 0, r);
      return c.set(0, DType::i64, {std::max<int64_t>(0, e - s)});
    }
    case OpKind::Cast: {
      DType to = dtype_from_onnx(static_cast<int>(n.i("to")));
      if (to == DType::undefined) throw UnsupportedError(c.where, format("Cast to type %lld is not supported", (long long)n.i("to")));
      if (c.known(0)) c.set(0, to, c.shape(0));
      else c.set_dtype(0, to);
      return;
    }
    case OpKind::Expand: {
      const Tensor* s = c.constant(1);
      if (!c.known(0) || !s) return c.set_dtype(0, c.dtype(0));
      Shape target = s->to_i64_vector();
      for (int64_t d : target)
        if (d < 0) c.fail("Expand to " + shape_str(target) + ": a dimension is negative");
      return c.set(0, c.dtype(0), broadcast(c, c.shape(0), target));
    }
    case OpKind::Pad: {
      std::optional<std::vector<int64_t>> pads = c.ints_attr_or_input("pads", 1);
      if (!c.known(0) || !pads || c.n.has_input(3)) return c.set_dtype(0, c.dtype(0));
      Shape x = c.shape(0);
      if (pads->size() != 2 * x.size()) c.fail("Pad has " + std::to_string(pads->size()) + " pads for rank " + std::to_string(x.size()));
      for (size_t i = 0; i < x.size(); ++i) {
        if (x[i] < 0) continue;
        x[i] = c.size(__int128{x[i]} + (*pads)[i] + (*pads)[i + x.size()]);
        if (x[i] < 0) c.fail(format("Pad leaves dimension %zu with %lld elements", i, (long long)x[i]));
      }
      return c.set(0, c.dtype(0), x);
    }
    case OpKind::DepthToSpace: {
      if (!c.known(0)) return c.set_dtype(0, c.dtype(0));
      const Shape& x = c.shape(0);
      int64_t b = n.i("blocksize");
      if (x.size() != 4 || b <= 0) c.fail("DepthToSpace needs a 4-D input and a positive blocksize");
      const int64_t bb = c.size(__int128{b} * b);
      if (x[1] >= 0 && x[1] % bb) c.fail("DepthToSpace channels not divisible by blocksize^2");
      return c.set(0, c.dtype(0), {x[0], x[1] < 0 ? -1 : x[1] / bb, x[2] < 0 ? -1 : c.size(__int128{x[2]} * b),
                                   x[3] < 0 ? -1 : c.size(__int128{x[3]} * b)});
    }
    case OpKind::Resize: {
      if (!c.known(0)) return c.set_dtype(0, c.dtype(0));
      const Shape& x = c.shape(0);
      const Tensor* sizes = c.constant(3);
      const Tensor* scales = c.constant(2);
      if (sizes && sizes->numel() > 0) {
        if (c.n.has("axes")) return c.set_dtype(0, c.dtype(0));
        auto s = sizes->to_i64_vector();
        if (s.size() != x.size()) c.fail("Resize sizes length differs from the input rank");
        for (int64_t d : s)
          if (d < 0) c.fail("Resize sizes " + shape_str(s) + ": a size is negative");
        return c.set(0, c.dtype(0), s);
      }
      if (scales && scales->numel() > 0) {
        if (c.n.has("axes")) return c.set_dtype(0, c.dtype(0));
        auto s = scales->to_f32_vector();
        if (s.size() != x.size()) c.fail("Resize scales length differs from the input rank");
        Shape out;
        for (size_t i = 0; i < x.size(); ++i) {
          if (!(s[i] > 0) || !std::isfinite(s[i])) c.fail(format("Resize scale %g is not positive and finite", s[i]));
          double o = std::floor(static_cast<double>(x[i]) * s[i]);
          if (o >= 0x1p63) c.fail(format("Resize scale %g makes dimension %zu too large", s[i], i));
          out.push_back(x[i] < 0 ? -1 : static_cast<int64_t>(o));
        }
        return c.set(0, c.dtype(0), out);
      }
      return c.set_dtype(0, c.dtype(0));
    }
    case OpKind::ConstantOfShape: {
      DType dt = n.has("value") ? n.t("value").dtype() : DType::f32;
      const Tensor* s = c.constant(0);
      if (!s) return c.set_dtype(0, dt);
      Shape shape = s->to_i64_vector();
      for (int64_t d : shape)
        if (d < 0) c.fail("ConstantOfShape " + shape_str(shape) + ": a dimension is negative");
      return c.set(0, dt, shape);
    }
    case OpKind::Range:
      return c.set(0, c.dtype(0), {-1});
    case OpKind::QuantizeLinear: {
      DType dt = c.in(2) ? c.dtype(2) : DType::u8;
      if (c.known(0)) c.set(0, dt, c.shape(0));
      else c.set_dtype(0, dt);
      return;
    }
    case OpKind::DequantizeLinear:
      if (c.known(0)) c.set(0, DType::f32, c.shape(0));
      else c.set_dtype(0, DType::f32);
      return;
    default:
      return;
  }
}

std::string node_where(const Graph& g, const Node& n) { return g.name() + ": node " + n.name; }

// Ops never folded: their outputs carry meaning (quantisation structure) beyond the values.
bool foldable(OpKind op) { return op != OpKind::QuantizeLinear && op != OpKind::DequantizeLinear; }

}  // namespace

void infer_node(Graph& g, int idx) {
  const Node& n = g.node(idx);
  Ctx c{g, n, node_where(g, n)};
  infer_node_impl(c);
}

void infer_shapes(Graph& g) {
  for (int i = 0; i < static_cast<int>(g.nodes().size()); ++i) infer_node(g, i);
}

void fold_constants(Graph& g, const NodeEvaluator& eval, int64_t max_fold_elems) {
  for (int i = 0; i < static_cast<int>(g.nodes().size()); ++i) {
    const Node& n = g.node(i);
    infer_node(g, i);
    if (!foldable(n.op)) continue;
    std::vector<Tensor> ins;
    bool all_const = true;
    for (ValueId in : n.inputs) {
      if (in == kNoValue) {
        ins.emplace_back();
        continue;
      }
      const Value& v = g.value(in);
      if (!v.is_constant()) {
        all_const = false;
        break;
      }
      ins.push_back(*v.constant);
    }
    std::vector<Tensor> outs;
    if (n.op == OpKind::Shape && !all_const) {
      const Value& x = g.value(n.inputs[0]);
      if (!x.fully_static()) continue;
      // The shape of a static value is known without its data.
      int64_t r = static_cast<int64_t>(x.shape.size());
      int64_t s = n.i("start", 0), e = n.i("end", r);
      s = std::clamp<int64_t>(s < 0 ? s + r : s, 0, r);
      e = std::clamp<int64_t>(e < 0 ? e + r : e, 0, r);
      std::vector<int64_t> sub(x.shape.begin() + s, x.shape.begin() + std::max(s, e));
      outs.push_back(Tensor::from_vector<int64_t>(sub, {static_cast<int64_t>(sub.size())}));
    } else {
      if (!all_const) continue;
      bool too_big = false;
      for (ValueId o : n.outputs) {
        if (o == kNoValue) continue;
        const Value& v = g.value(o);
        int64_t elems = 1;
        for (int64_t d : v.shape)
          if (__builtin_mul_overflow(elems, d, &elems)) elems = INT64_MAX;
        if (v.fully_static() && elems > max_fold_elems) too_big = true;
      }
      if (too_big) continue;
      outs = eval(n, ins);
    }
    // Fold only when every output the node has got a value: a partly folded node would remain and
    // define its folded outputs a second time.
    bool complete = true;
    for (size_t k = 0; k < n.outputs.size(); ++k)
      complete &= n.outputs[k] == kNoValue || (k < outs.size() && outs[k].defined());
    if (!complete) continue;
    for (size_t k = 0; k < n.outputs.size() && k < outs.size(); ++k) {
      if (n.outputs[k] == kNoValue || !outs[k].defined()) continue;
      Value& v = g.value(n.outputs[k]);
      v.dtype = outs[k].dtype();
      v.shape = outs[k].shape();
      v.shape_known = true;
      v.constant = outs[k];
    }
  }
  // Drop nodes whose outputs are all constants now, then whatever no output needs.
  auto& nodes = g.nodes();
  nodes.erase(std::remove_if(nodes.begin(), nodes.end(),
                             [&](const Node& n) {
                               return std::all_of(n.outputs.begin(), n.outputs.end(), [&](ValueId o) {
                                 return o == kNoValue || g.value(o).is_constant();
                               });
                             }),
              nodes.end());
  g.remove_dead_nodes();
}

void bind_input_shape(Graph& g, ValueId input, const Shape& shape) {
  Value& in = g.value(input);
  in.shape = shape;
  in.shape_known = true;
  for (const Node& n : g.nodes())
    for (ValueId o : n.outputs) {
      if (o == kNoValue) continue;
      Value& v = g.value(o);
      if (v.is_constant()) continue;
      v.shape.clear();
      v.shape_known = false;
    }
}

}  // namespace coda::graph
