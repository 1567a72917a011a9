// The op kinds coda's graph IR knows, listed once (ONNX names, default domain unless noted).
//
//   OpKind k = op_from_name("Conv");  op_name(k) == "Conv";
//   op_from_name("NoSuchOp") == OpKind::Unknown
#pragma once
#include <string>
#include <string_view>

namespace coda::graph {

// X(Name): one entry per op; the enum value, the ONNX op_type and the name printed are all `Name`.
#define CODA_FOR_EACH_OP(X)                                                                            \
  X(Conv) X(ConvTranspose) X(Gemm) X(MatMul) X(Add) X(Sub) X(Mul) X(Div) X(Pow) X(Sqrt) X(Exp) X(Log)  \
  X(Erf) X(Tanh) X(Sigmoid) X(Relu) X(LeakyRelu) X(Clip) X(Neg) X(Abs) X(Reciprocal) X(Floor) X(Ceil) X(Round) \
  X(Max) X(Min) X(Equal) X(Less) X(Greater) X(Not) X(MaxPool) X(AveragePool) X(GlobalAveragePool)      \
  X(GlobalMaxPool) X(BatchNormalization) X(LayerNormalization) X(Softmax) X(LogSoftmax) X(ReduceMean)  \
  X(ReduceSum) X(ReduceMax) X(Reshape) X(Flatten) X(Transpose) X(Concat) X(Split) X(Slice) X(Gather)   \
  X(Unsqueeze) X(Squeeze) X(Identity) X(Constant) X(ConstantOfShape) X(Range) X(Shape) X(Cast)         \
  X(Expand) X(Where) X(Pad) X(DepthToSpace) X(Resize) X(Dropout) X(Gelu) X(QuantizeLinear)             \
  X(DequantizeLinear) X(QLinearConv) X(QLinearMatMul) X(MatMulInteger) X(ConvInteger)

enum class OpKind {
#define CODA_X(name) name,
  CODA_FOR_EACH_OP(CODA_X)
#undef CODA_X
      Unknown
};

const char* op_name(OpKind k);
OpKind op_from_name(std::string_view name);

}  // namespace coda::graph
