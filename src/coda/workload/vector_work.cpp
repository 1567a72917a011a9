// vector_work: the element-wise work of every op that is not a matrix/conv computation.
//
// vector_elems = elements of output 0 (0 for metadata-only ops that move no data); vector_ops =
// operations, counted per output element unless noted:
//   1  Add Sub Mul Div Pow Max Min Equal Less Greater Not Neg Abs Floor Ceil Round Relu Reciprocal Sqrt
//      Exp Log Erf Tanh Sigmoid Where Cast Resize
//   2  LeakyRelu (compare, multiply), Clip (two compares), BatchNormalization (folded scale, shift),
//      QuantizeLinear (scale + round, zero point), DequantizeLinear (zero point, scale)
//   5  Gelu (Div, Erf, Add, Mul, Mul, as its decomposition), Softmax / LogSoftmax (max, subtract, exp,
//      sum, divide)
//   7  LayerNormalization (mean, subtract, square, variance sum, normalise, scale, shift)
//   kernel elements per output: MaxPool, AveragePool
//   1 per input element: ReduceMean ReduceSum ReduceMax GlobalAveragePool GlobalMaxPool
//   0  data movement (Transpose Concat Split Slice Gather Expand Pad DepthToSpace Range
//      ConstantOfShape) and metadata (Reshape Flatten Squeeze Unsqueeze Identity Dropout Shape
//      Constant, which also write no elements)
#include "coda/workload/node_work.h"

namespace coda::workload {

namespace {

using graph::OpKind;

bool is_metadata(OpKind op) {
  switch (op) {
    case OpKind::Reshape: case OpKind::Flatten: case OpKind::Squeeze: case OpKind::Unsqueeze:
    case OpKind::Identity: case OpKind::Dropout: case OpKind::Shape: case OpKind::Constant:
      return true;
    default:
      return false;
  }
}

// Operations per output element for ops whose cost scales with their output.
int64_t ops_per_output(OpKind op) {
  switch (op) {
    case OpKind::LeakyRelu: case OpKind::Clip: case OpKind::BatchNormalization: case OpKind::QuantizeLinear:
    case OpKind::DequantizeLinear:
      return 2;
    case OpKind::Gelu: case OpKind::Softmax: case OpKind::LogSoftmax:
      return 5;
    case OpKind::LayerNormalization:
      return 7;
    case OpKind::Transpose: case OpKind::Concat: case OpKind::Split: case OpKind::Slice: case OpKind::Gather:
    case OpKind::Expand: case OpKind::Pad: case OpKind::DepthToSpace: case OpKind::Range:
    case OpKind::ConstantOfShape:
      return 0;
    default:
      return 1;
  }
}

}  // namespace

LayerWork vector_work(const NodeView& v) {
  LayerWork w;
  w.name = v.n.name;
  w.op = v.n.op;
  w.output_shape = v.out_shape();
  if (is_metadata(v.n.op)) return w;
  // Split writes all of its input across several outputs.
  int64_t out = shape_numel(v.n.op == OpKind::Split ? v.shape(0) : w.output_shape);
  w.vector_elems = out;
  switch (v.n.op) {
    case OpKind::MaxPool: case OpKind::AveragePool: {
      int64_t window = 1;
      for (int64_t k : v.n.ints("kernel_shape")) window = mul_work(v, window, k);
      w.vector_ops = mul_work(v, out, window);
      break;
    }
    case OpKind::ReduceMean: case OpKind::ReduceSum: case OpKind::ReduceMax: case OpKind::GlobalAveragePool:
    case OpKind::GlobalMaxPool:
      w.vector_ops = shape_numel(v.shape(0));
      break;
    default:
      w.vector_ops = mul_work(v, out, ops_per_output(v.n.op));
  }
  return w;
}

}  // namespace coda::workload
