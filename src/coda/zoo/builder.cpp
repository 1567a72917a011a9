// ModelBuilder: naming, constants, and the ops without weights (layers.cpp has the weighted ones).
#include "coda/zoo/builder.h"

#include <algorithm>
#include <cmath>

#include "coda/zoo/random_init.h"

namespace coda::zoo {

using graph::OpKind;

namespace {

// Numpy broadcasting of two static shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b) {
  size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    CODA_CHECK(da == db || da == 1 || db == 1, "shapes %s and %s do not broadcast", shape_str(a).c_str(),
               shape_str(b).c_str());
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace

ModelBuilder::ModelBuilder(std::string graph_name, uint64_t seed) : g_(std::move(graph_name)), seed_(seed) {
  g_.set_opset(17);
}

int64_t ModelBuilder::dim(ValueId v, int64_t i) const {
  const Shape& s = shape(v);
  int64_t r = static_cast<int64_t>(s.size());
  CODA_CHECK(i >= -r && i < r, "dim %lld of a rank-%lld value", static_cast<long long>(i), static_cast<long long>(r));
  return s[static_cast<size_t>(i < 0 ? i + r : i)];
}

ModelBuilder::Scope ModelBuilder::scope(const std::string& name) {
  prefixes_.push_back(scoped(name));
  return Scope(*this);
}

std::string ModelBuilder::scoped(const std::string& local) const {
  return prefixes_.empty() ? local : prefixes_.back() + "." + local;
}

std::string ModelBuilder::unique_node_name(const std::string& base) {
  std::string n = base;
  for (int k = 1; node_names_.count(n); ++k) n = base + "_" + std::to_string(k);
  node_names_.insert(n);
  return n;
}

ValueId ModelBuilder::input(const std::string& name, DType dtype, Shape shape) {
  return g_.add_input(name, dtype, std::move(shape));
}

ValueId ModelBuilder::constant(const std::string& local, Tensor t) {
  return g_.add_constant(g_.fresh_name(scoped(local)), std::move(t));
}

ValueId ModelBuilder::uniform(const std::string& local, Shape shape, float lo, float hi) {
  std::string name = g_.fresh_name(scoped(local));
  return g_.add_constant(name, uniform_tensor(shape, lo, hi, seed_, name));
}

ValueId ModelBuilder::uniform_std(const std::string& local, Shape shape, float std) {
  const float bound = std * 1.7320508f;  // a uniform [-a, a) has std a / sqrt(3)
  return uniform(local, std::move(shape), -bound, bound);
}

ValueId ModelBuilder::scalar(float v) { return g_.add_constant(g_.fresh_name("const"), Tensor::scalar<float>(v)); }

ValueId ModelBuilder::ints(const std::vector<int64_t>& v) {
  return g_.add_constant(g_.fresh_name("const"), Tensor::from_vector<int64_t>(v, {static_cast<int64_t>(v.size())}));
}

ValueId ModelBuilder::emit(OpKind op, const std::string& local, std::vector<ValueId> inputs, DType dtype, Shape shape,
                           std::map<std::string, graph::Attribute> attrs) {
  std::string node = unique_node_name(scoped(local));
  std::string out_name = next_output_name_.empty() ? g_.fresh_name(node) : next_output_name_;
  next_output_name_.clear();
  ValueId out = g_.add_value(out_name, dtype);
  graph::Value& v = g_.value(out);
  v.shape = std::move(shape);
  v.shape_known = true;
  g_.add_node(op, node, std::move(inputs), {out}, std::move(attrs));
  return out;
}

ValueId ModelBuilder::binary(OpKind op, ValueId a, ValueId b) {
  std::string local = op_name(op);
  std::transform(local.begin(), local.end(), local.begin(), ::tolower);
  return emit(op, local, {a, b}, g_.value(a).dtype, broadcast_shapes(shape(a), shape(b)));
}

ValueId ModelBuilder::unary(OpKind op, ValueId x, std::map<std::string, graph::Attribute> attrs) {
  std::string local = op_name(op);
  std::transform(local.begin(), local.end(), local.begin(), ::tolower);
  return emit(op, local, {x}, g_.value(x).dtype, shape(x), std::move(attrs));
}

ValueId ModelBuilder::relu(ValueId x) { return unary(OpKind::Relu, x); }
ValueId ModelBuilder::sigmoid(ValueId x) { return unary(OpKind::Sigmoid, x); }
ValueId ModelBuilder::leaky_relu(ValueId x, float alpha) { return unary(OpKind::LeakyRelu, x, {{"alpha", alpha}}); }
ValueId ModelBuilder::add(ValueId a, ValueId b) { return binary(OpKind::Add, a, b); }
ValueId ModelBuilder::mul(ValueId a, ValueId b) { return binary(OpKind::Mul, a, b); }
ValueId ModelBuilder::div(ValueId a, ValueId b) { return binary(OpKind::Div, a, b); }

ValueId ModelBuilder::relu6(ValueId x) {
  return emit(OpKind::Clip, "relu6", {x, scalar(0.0f), scalar(6.0f)}, g_.value(x).dtype, shape(x));
}

ValueId ModelBuilder::gelu(ValueId x) {
  ValueId e = unary(OpKind::Erf, div(x, scalar(1.41421356f)));
  return mul(mul(x, add(e, scalar(1.0f))), scalar(0.5f));
}

ValueId ModelBuilder::max_pool(ValueId x, int64_t kernel, int64_t stride, int64_t pad) {
  Shape s = shape(x);
  for (size_t i = 2; i < s.size(); ++i) s[i] = (s[i] + 2 * pad - kernel) / stride + 1;
  return emit(OpKind::MaxPool, "maxpool", {x}, g_.value(x).dtype, s,
              {{"kernel_shape", std::vector<int64_t>{kernel, kernel}},
               {"strides", std::vector<int64_t>{stride, stride}},
               {"pads", std::vector<int64_t>{pad, pad, pad, pad}}});
}

ValueId ModelBuilder::global_avg_pool(ValueId x) {
  Shape s = shape(x);
  for (size_t i = 2; i < s.size(); ++i) s[i] = 1;
  return emit(OpKind::GlobalAveragePool, "avgpool", {x}, g_.value(x).dtype, s);
}

ValueId ModelBuilder::flatten(ValueId x, int64_t axis) {
  const Shape& s = shape(x);
  int64_t outer = 1, inner = 1;
  for (size_t i = 0; i < s.size(); ++i) (static_cast<int64_t>(i) < axis ? outer : inner) *= s[i];
  return emit(OpKind::Flatten, "flatten", {x}, g_.value(x).dtype, {outer, inner}, {{"axis", axis}});
}

ValueId ModelBuilder::reshape(ValueId x, const std::vector<int64_t>& target) {
  const Shape& in = shape(x);
  Shape out(target.begin(), target.end());
  int64_t known = 1, infer_at = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 0) out[i] = in.at(i);
    if (out[i] == -1) infer_at = static_cast<int64_t>(i);
    else known *= out[i];
  }
  if (infer_at >= 0) out[static_cast<size_t>(infer_at)] = shape_numel(in) / known;
  CODA_CHECK(shape_numel(out) == shape_numel(in), "reshape %s to %s", shape_str(in).c_str(), shape_str(out).c_str());
  return emit(OpKind::Reshape, "reshape", {x, ints(target)}, g_.value(x).dtype, out);
}

ValueId ModelBuilder::transpose(ValueId x, const std::vector<int64_t>& perm) {
  Shape out;
  for (int64_t p : perm) out.push_back(shape(x).at(static_cast<size_t>(p)));
  return emit(OpKind::Transpose, "transpose", {x}, g_.value(x).dtype, out, {{"perm", perm}});
}

ValueId ModelBuilder::matmul(ValueId a, ValueId b) {
  const Shape &sa = shape(a), &sb = shape(b);
  CODA_CHECK(sa.size() >= 2 && sb.size() >= 2 && sa.back() == sb[sb.size() - 2], "matmul %s x %s",
             shape_str(sa).c_str(), shape_str(sb).c_str());
  Shape out = broadcast_shapes(Shape(sa.begin(), sa.end() - 2), Shape(sb.begin(), sb.end() - 2));
  out.push_back(sa[sa.size() - 2]);
  out.push_back(sb.back());
  return emit(OpKind::MatMul, "matmul", {a, b}, g_.value(a).dtype, out);
}

ValueId ModelBuilder::softmax(ValueId x, int64_t axis) { return unary(OpKind::Softmax, x, {{"axis", axis}}); }

ValueId ModelBuilder::concat(const std::vector<ValueId>& xs, int64_t axis) {
  Shape out = shape(xs.at(0));
  size_t a = static_cast<size_t>(axis < 0 ? axis + static_cast<int64_t>(out.size()) : axis);
  for (size_t i = 1; i < xs.size(); ++i) out[a] += shape(xs[i])[a];
  return emit(OpKind::Concat, "concat", xs, g_.value(xs[0]).dtype, out, {{"axis", axis}});
}

ValueId ModelBuilder::gather(ValueId data, ValueId indices, int64_t axis) {
  const Shape& d = shape(data);
  Shape out(d.begin(), d.begin() + axis);
  for (int64_t i : shape(indices)) out.push_back(i);
  out.insert(out.end(), d.begin() + axis + 1, d.end());
  return emit(OpKind::Gather, "gather", {data, indices}, g_.value(data).dtype, out, {{"axis", axis}});
}

ValueId ModelBuilder::reduce_mean(ValueId x, const std::vector<int64_t>& axes, bool keepdims) {
  const Shape& in = shape(x);
  Shape out;
  for (size_t i = 0; i < in.size(); ++i) {
    bool reduced = std::find(axes.begin(), axes.end(), static_cast<int64_t>(i)) != axes.end();
    if (!reduced) out.push_back(in[i]);
    else if (keepdims) out.push_back(1);
  }
  return emit(OpKind::ReduceMean, "reducemean", {x}, g_.value(x).dtype, out,
              {{"axes", axes}, {"keepdims", int64_t{keepdims ? 1 : 0}}});
}

ValueId ModelBuilder::where(ValueId cond, ValueId a, ValueId b) {
  Shape out = broadcast_shapes(shape(cond), broadcast_shapes(shape(a), shape(b)));
  return emit(OpKind::Where, "where", {cond, a, b}, g_.value(a).dtype, out);
}

ValueId ModelBuilder::expand(ValueId x, const std::vector<int64_t>& target) {
  return emit(OpKind::Expand, "expand", {x, ints(target)}, g_.value(x).dtype, broadcast_shapes(shape(x), target));
}

graph::Graph ModelBuilder::finish(const std::vector<ValueId>& outputs) {
  for (ValueId o : outputs) g_.mark_output(o);
  graph::verify(g_);
  return std::move(g_);
}

}  // namespace coda::zoo
