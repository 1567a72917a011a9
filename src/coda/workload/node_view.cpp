#include "coda/workload/node_work.h"

namespace coda::workload {

namespace {

const Shape& static_shape(const NodeView& v, const graph::Value& val) {
  if (!val.fully_static())
    throw InvalidError(v.where(), "shape of '" + val.name + "' is not known statically" +
                                      (val.shape_known ? " (" + shape_str(val.shape) + ")" : "") +
                                      "; run graph::infer_shapes (binding symbolic dims) before workload::extract");
  return val.shape;
}

int dtype_bits(DType t) { return t == DType::undefined ? 32 : static_cast<int>(dtype_size(t) * 8); }

}  // namespace

std::string NodeView::where() const { return g.name() + ": node " + (n.name.empty() ? op_name(n.op) : n.name); }

const graph::Value& NodeView::input(size_t k) const {
  if (!n.has_input(k)) throw InvalidError(where(), format("input %zu is missing", k));
  return g.value(n.inputs[k]);
}

const Shape& NodeView::shape(size_t k) const { return static_shape(*this, input(k)); }

const Shape& NodeView::out_shape() const {
  if (n.outputs.empty() || n.outputs[0] == graph::kNoValue) throw InvalidError(where(), "node has no output 0");
  return static_shape(*this, g.value(n.outputs[0]));
}

int NodeView::bits(size_t k) const { return dtype_bits(input(k).dtype); }

int NodeView::out_bits() const {
  return n.outputs.empty() || n.outputs[0] == graph::kNoValue ? 32 : dtype_bits(g.value(n.outputs[0]).dtype);
}

int64_t mul_work(const NodeView& v, int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) throw InvalidError(v.where(), "its work count overflows 64 bits");
  return r;
}

}  // namespace coda::workload
