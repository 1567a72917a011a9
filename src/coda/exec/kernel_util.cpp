#include "coda/exec/kernel_util.h"

#include <algorithm>
#include <cstdarg>

namespace coda::exec::kern {

std::string where(const Node& n) {
  std::string op = graph::op_name(n.op);
  return "node " + (n.name.empty() ? op : n.name + " (" + op + ")");
}

int opset(const Node& n) {
  auto it = n.attrs.find("_opset");
  if (it == n.attrs.end()) return 17;
  if (auto p = it->second.get_if<int64_t>()) return static_cast<int>(*p);
  return 17;
}

void invalid(const Node& n, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string what = vformat(fmt, ap);
  va_end(ap);
  throw InvalidError(where(n), what);
}

void unsupported(const Node& n, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string what = vformat(fmt, ap);
  va_end(ap);
  throw UnsupportedError(where(n), what);
}

const Tensor& input(const Node& n, const Inputs& in, size_t k) {
  if (k >= in.size() || !in[k].defined()) invalid(n, "required input %zu is missing", k);
  return in[k];
}

const Tensor* optional_input(const Inputs& in, size_t k) {
  if (k >= in.size() || !in[k].defined()) return nullptr;
  return &in[k];
}

int64_t normalize_axis(const Node& n, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    invalid(n, "axis %lld is out of range for rank %lld", static_cast<long long>(axis), static_cast<long long>(rank));
  return axis < 0 ? axis + rank : axis;
}

std::vector<int64_t> normalize_axes(const Node& n, const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> r;
  r.reserve(axes.size());
  for (int64_t a : axes) {
    int64_t v = normalize_axis(n, a, rank);
    if (std::find(r.begin(), r.end(), v) != r.end()) invalid(n, "axis %lld is repeated", static_cast<long long>(a));
    r.push_back(v);
  }
  return r;
}

std::vector<int64_t> int_values(const Node& n, const Tensor& t, const char* what) {
  if (!dtype_is_integer(t.dtype())) invalid(n, "%s must be an integer tensor, got %s", what, dtype_name(t.dtype()));
  if (t.rank() > 1) invalid(n, "%s must be 1-D, got shape %s", what, shape_str(t.shape()).c_str());
  return t.to_i64_vector();
}

void require_dtype(const Node& n, const Tensor& t, std::initializer_list<DType> allowed, const char* what) {
  for (DType d : allowed)
    if (t.dtype() == d) return;
  std::string list;
  for (DType d : allowed) list += std::string(list.empty() ? "" : ", ") + dtype_name(d);
  if (t.dtype() == DType::undefined) invalid(n, "%s is missing", what);
  unsupported(n, "%s has dtype %s; supported: %s", what, dtype_name(t.dtype()), list.c_str());
}

void require_float(const Node& n, const Tensor& t, const char* what) {
  require_dtype(n, t, {DType::f32, DType::f64}, what);
}

void require_rank(const Node& n, const Tensor& t, int64_t rank, const char* what) {
  if (t.rank() != rank)
    invalid(n, "%s must have rank %lld, got shape %s", what, static_cast<long long>(rank), shape_str(t.shape()).c_str());
}

int64_t checked_numel(const Node& n, const Shape& s, DType dtype) {
  int64_t elem = static_cast<int64_t>(std::max<size_t>(dtype_size(dtype), 1));
  int64_t limit = kMaxTensorBytes / elem;
  int64_t numel = 1;
  bool zero = false;
  for (int64_t d : s) {
    if (d < 0) invalid(n, "output shape %s has a negative dimension", shape_str(s).c_str());
    if (d == 0) zero = true;
  }
  if (zero) return 0;
  for (int64_t d : s) {
    if (numel > limit / d) invalid(n, "output shape %s is too large (over %lld bytes)", shape_str(s).c_str(),
                                   static_cast<long long>(kMaxTensorBytes));
    numel *= d;
  }
  return numel;
}

Tensor make_output(const Node& n, DType dtype, const Shape& s) {
  checked_numel(n, s, dtype);
  return Tensor(dtype, s);
}

Tensor make_uninit_output(const Node& n, DType dtype, const Shape& s) {
  checked_numel(n, s, dtype);
  return Tensor::uninitialized(dtype, s);
}

void parallel_for(KernelContext& ctx, int64_t count, int64_t grain, const std::function<void(int64_t, int64_t)>& body) {
  if (count <= 0) return;
  if (!ctx.pool) {
    body(0, count);
    return;
  }
  ctx.pool->parallel_for(0, count, std::max<int64_t>(grain, 1), body);
}

int64_t grain_for(int64_t count, int64_t cost_per_item, int64_t target) {
  int64_t cost = std::max<int64_t>(cost_per_item, 1);
  return std::max<int64_t>(1, std::min<int64_t>(count, target / cost));
}

}  // namespace coda::exec::kern
