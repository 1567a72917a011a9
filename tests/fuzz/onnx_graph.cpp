// Fuzz target onnx_graph: structurally valid ONNX models with fuzzed attributes, shapes and
// initializers. The first byte picks one of the small valid graphs below (one per op family coda
// supports, with valid attributes); the remaining bytes are a list of mutations (set or drop an
// attribute, change an input's dims or dtype, reshape an initializer or change its values, dtype or
// encoding, rewire a node input, swap an op type, change the opset, ...). The result is serialized as a
// ModelProto and goes through onnx::import_bytes, exec::prepare and exec::specialize; when every value
// is static and small it also runs in exec::Executor (one thread) on fixed inputs.
//
// Random bytes almost never make a protobuf that gets past the importer's first checks; this target
// starts from graphs that do, so the fuzzer's effort goes into shape inference, constant folding and
// the kernels' handling of odd attributes.
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <deque>
#include <functional>

#include "coda/exec/executor.h"
#include "coda/onnx/import.h"
#include "coda/workload/extract.h"
#include "fuzz_util.h"

namespace {

using TP = ::onnx::TensorProto;

// ---- a small editable description of a model, serialized at the end --------------------------------

struct Tns {
  std::string name;
  int dtype = TP::FLOAT;
  std::vector<int64_t> dims;
  std::vector<double> vals;  // one per element (cast to the dtype when written)
  bool raw = false;          // write as raw_data instead of the typed field
  bool garbage = false;      // write `bytes` as raw_data as they are
  std::string bytes;
};

struct Attr {
  enum Kind { I, F, S, INTS, FLOATS, T } kind = I;
  int64_t i = 0;
  float f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  Tns t;
};

struct Nd {
  std::string op, name;
  std::vector<std::string> in, out;
  std::map<std::string, Attr> attrs;
};

struct Vi {
  std::string name;
  int dtype = TP::FLOAT;
  std::vector<int64_t> dims;  // -1: a symbolic dim "n"
  bool has_shape = true;
};

struct Model {
  int opset = 13;
  std::vector<Vi> inputs;
  std::vector<std::string> outputs;
  std::deque<Tns> inits;  // deques: the builders hold references across additions
  std::deque<Nd> nodes;

  Nd& node(std::string op, std::vector<std::string> in, std::vector<std::string> out) {
    nodes.push_back({std::move(op), "n" + std::to_string(nodes.size()), std::move(in), std::move(out), {}});
    return nodes.back();
  }
  void input(std::string name, std::vector<int64_t> dims, int dtype = TP::FLOAT) {
    inputs.push_back({std::move(name), dtype, std::move(dims)});
  }
  Tns& init(std::string name, std::vector<int64_t> dims, std::vector<double> vals = {}, int dtype = TP::FLOAT) {
    Tns t;
    t.name = std::move(name), t.dtype = dtype, t.dims = std::move(dims), t.vals = std::move(vals);
    if (t.vals.empty()) {
      int64_t n = 1;
      for (int64_t d : t.dims) n *= d;
      for (int64_t k = 0; k < n; ++k) t.vals.push_back(dtype == TP::FLOAT ? 0.25 * static_cast<double>(k % 7) - 0.5 : static_cast<double>(k % 3));
    }
    inits.push_back(std::move(t));
    return inits.back();
  }
};

Tns tensor(int dtype, std::vector<int64_t> dims, std::vector<double> vals) {
  Tns t;
  t.dtype = dtype, t.dims = std::move(dims), t.vals = std::move(vals);
  return t;
}
Attr ai(int64_t v) { Attr a; a.kind = Attr::I; a.i = v; return a; }
Attr af(float v) { Attr a; a.kind = Attr::F; a.f = v; return a; }
Attr as(std::string v) { Attr a; a.kind = Attr::S; a.s = std::move(v); return a; }
Attr aints(std::vector<int64_t> v) { Attr a; a.kind = Attr::INTS; a.ints = std::move(v); return a; }
Attr atensor(Tns t) { Attr a; a.kind = Attr::T; a.t = std::move(t); return a; }

// Elements of `dims` (negative dims count as 0), saturating at INT64_MAX.
int64_t numel(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    if (__builtin_mul_overflow(n, std::max<int64_t>(d, 0), &n)) n = INT64_MAX;
  return n;
}

template <class T> void put_raw(std::string& out, T v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }

// Saturating conversion (the fuzzer's doubles may be NaN or huge; the cast itself must not be UB here).
template <class T> T to(double v) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else {
    if (!(v == v)) return 0;
    if (v <= static_cast<double>(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
    if (v >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  }
}

void write_tensor(const Tns& t, TP* p) {
  p->set_name(t.name);
  p->set_data_type(t.dtype);
  for (int64_t d : t.dims) p->add_dims(d);
  if (t.garbage) {
    p->set_raw_data(t.bytes);
    return;
  }
  if (t.raw) {
    std::string r;
    for (double v : t.vals) switch (t.dtype) {
        case TP::FLOAT: put_raw(r, to<float>(v)); break;
        case TP::DOUBLE: put_raw(r, v); break;
        case TP::INT64: put_raw(r, to<int64_t>(v)); break;
        case TP::UINT64: put_raw(r, to<uint64_t>(v)); break;
        case TP::INT32: put_raw(r, to<int32_t>(v)); break;
        case TP::UINT32: put_raw(r, to<uint32_t>(v)); break;
        case TP::INT16: put_raw(r, to<int16_t>(v)); break;
        case TP::UINT16: case TP::FLOAT16: case TP::BFLOAT16: put_raw(r, to<uint16_t>(v)); break;
        case TP::INT8: put_raw(r, to<int8_t>(v)); break;
        default: put_raw(r, to<uint8_t>(v)); break;
      }
    p->set_raw_data(r);
    return;
  }
  for (double v : t.vals) switch (t.dtype) {
      case TP::FLOAT: p->add_float_data(to<float>(v)); break;
      case TP::DOUBLE: p->add_double_data(v); break;
      case TP::INT64: p->add_int64_data(to<int64_t>(v)); break;
      case TP::UINT64: case TP::UINT32: p->add_uint64_data(to<uint64_t>(v)); break;
      case TP::STRING: p->add_string_data(std::to_string(v)); break;
      default: p->add_int32_data(to<int32_t>(v)); break;
    }
}

void write_value_info(const std::string& name, int dtype, const std::vector<int64_t>* dims, ::onnx::ValueInfoProto* v) {
  v->set_name(name);
  if (!dims) return;
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(dtype);
  auto* shape = tt->mutable_shape();
  for (int64_t d : *dims) {
    auto* dim = shape->add_dim();
    if (d >= 0) dim->set_dim_value(d);
    else if (d == -1) dim->set_dim_param("n");
  }
}

std::string serialize(const Model& m) {
  ::onnx::ModelProto mp;
  mp.set_ir_version(8);
  mp.set_producer_name("coda-fuzz");
  auto* op = mp.add_opset_import();
  op->set_domain("");
  op->set_version(m.opset);
  auto* g = mp.mutable_graph();
  g->set_name("fuzz");
  for (const Vi& v : m.inputs) write_value_info(v.name, v.dtype, v.has_shape ? &v.dims : nullptr, g->add_input());
  for (const std::string& o : m.outputs) write_value_info(o, 0, nullptr, g->add_output());
  for (const Tns& t : m.inits) write_tensor(t, g->add_initializer());
  for (const Nd& n : m.nodes) {
    auto* np = g->add_node();
    np->set_op_type(n.op);
    np->set_name(n.name);
    for (const auto& i : n.in) np->add_input(i);
    for (const auto& o : n.out) np->add_output(o);
    for (const auto& [name, a] : n.attrs) {
      auto* ap = np->add_attribute();
      ap->set_name(name);
      switch (a.kind) {
        case Attr::I: ap->set_type(::onnx::AttributeProto::INT), ap->set_i(a.i); break;
        case Attr::F: ap->set_type(::onnx::AttributeProto::FLOAT), ap->set_f(a.f); break;
        case Attr::S: ap->set_type(::onnx::AttributeProto::STRING), ap->set_s(a.s); break;
        case Attr::INTS:
          ap->set_type(::onnx::AttributeProto::INTS);
          for (int64_t v : a.ints) ap->add_ints(v);
          break;
        case Attr::FLOATS:
          ap->set_type(::onnx::AttributeProto::FLOATS);
          for (float v : a.floats) ap->add_floats(v);
          break;
        case Attr::T: ap->set_type(::onnx::AttributeProto::TENSOR), write_tensor(a.t, ap->mutable_t()); break;
      }
    }
  }
  return mp.SerializeAsString();
}

// ---- the starting graphs ----------------------------------------------------------------------------

const char* const kUnary[] = {"Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Erf", "Neg", "Abs", "Reciprocal",
                              "Floor", "Ceil", "Round", "LeakyRelu", "Identity", "Dropout", "Softmax", "LogSoftmax",
                              "Flatten", "GlobalAveragePool", "GlobalMaxPool"};
const char* const kBinary[] = {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Equal", "Less", "Greater"};
const char* const kReduce[] = {"ReduceMean", "ReduceSum", "ReduceMax"};

using Builder = std::function<void(Model&, fuzz::Input&)>;

const std::vector<Builder>& builders() {
  static const std::vector<Builder> b = {
      [](Model& m, fuzz::Input&) {  // Conv
        m.input("x", {1, 2, 5, 5});
        m.init("w", {3, 2, 3, 3});
        m.init("b", {3});
        auto& n = m.node("Conv", {"x", "w", "b"}, {"y"});
        n.attrs = {{"kernel_shape", aints({3, 3})}, {"pads", aints({1, 1, 1, 1})}, {"strides", aints({1, 1})},
                   {"dilations", aints({1, 1})}, {"group", ai(1)}};
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // depthwise Conv + Relu
        m.input("x", {1, 4, 4, 4});
        m.init("w", {4, 1, 3, 3});
        auto& n = m.node("Conv", {"x", "w"}, {"c"});
        n.attrs = {{"group", ai(4)}, {"auto_pad", as("SAME_UPPER")}, {"strides", aints({2, 2})}};
        m.node("Relu", {"c"}, {"y"});
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // ConvTranspose
        m.input("x", {1, 2, 3, 3});
        m.init("w", {2, 3, 3, 3});
        auto& n = m.node("ConvTranspose", {"x", "w"}, {"y"});
        n.attrs = {{"strides", aints({2, 2})}, {"pads", aints({1, 1, 1, 1})}, {"output_padding", aints({1, 1})}};
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // Gemm
        m.input("a", {2, 3});
        m.init("b", {4, 3});
        m.init("c", {4});
        auto& n = m.node("Gemm", {"a", "b", "c"}, {"y"});
        n.attrs = {{"alpha", af(1.0f)}, {"beta", af(1.0f)}, {"transB", ai(1)}};
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // MatMul, batched
        m.input("x", {-1, 3, 4});
        m.init("w", {4, 5});
        m.node("MatMul", {"x", "w"}, {"y"});
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input& in) {  // MaxPool / AveragePool
        bool max = in.boolean();
        m.input("x", {1, 1, 6, 6});
        auto& n = m.node(max ? "MaxPool" : "AveragePool", {"x"}, {"y"});
        n.attrs = {{"kernel_shape", aints({2, 2})}, {"strides", aints({2, 2})}, {"pads", aints({0, 0, 1, 1})}};
        if (max) n.attrs["dilations"] = aints({1, 1});
        else n.attrs["count_include_pad"] = ai(0);
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input& in) {  // unary ops
        m.input("x", {2, 3, 2, 2});
        m.node(in.pick(kUnary), {"x"}, {"y"});
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input& in) {  // binary ops with broadcasting
        m.input("x", {2, 3});
        m.init("c", {3});
        m.node(in.pick(kBinary), {"x", "c"}, {"y"});
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // BatchNormalization
        m.input("x", {1, 3, 2, 2});
        m.init("s", {3});
        m.init("b", {3});
        m.init("mean", {3});
        m.init("var", {3}, {1, 2, 0.5});
        m.node("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"y"}).attrs = {{"epsilon", af(1e-5f)}};
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // LayerNormalization
        m.opset = 17;
        m.input("x", {2, 4});
        m.init("s", {4});
        m.init("b", {4});
        m.node("LayerNormalization", {"x", "s", "b"}, {"y"}).attrs = {{"axis", ai(-1)}, {"epsilon", af(1e-5f)}};
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input& in) {  // reductions (axes as an attribute at opset 13, an input for ReduceSum)
        const char* op = in.pick(kReduce);
        m.input("x", {2, 3, 4});
        auto& n = m.node(op, {"x"}, {"y"});
        if (std::string(op) == "ReduceSum") {
          m.init("axes", {1}, {1}, TP::INT64);
          n.in.push_back("axes");
        } else {
          n.attrs["axes"] = aints({1});
        }
        n.attrs["keepdims"] = ai(1);
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // Reshape
        m.input("x", {2, 3, 4});
        m.init("shape", {3}, {4, -1, 2}, TP::INT64);
        m.node("Reshape", {"x", "shape"}, {"y"});
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // Transpose
        m.input("x", {2, 3, 4});
        m.node("Transpose", {"x"}, {"y"}).attrs = {{"perm", aints({2, 0, 1})}};
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // Concat
        m.input("x", {2, 3});
        m.init("c", {2, 2});
        m.node("Concat", {"x", "c"}, {"y"}).attrs = {{"axis", ai(1)}};
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // Split (sizes as an input at opset 13)
        m.input("x", {6, 2});
        m.init("split", {2}, {2, 4}, TP::INT64);
        m.node("Split", {"x", "split"}, {"y", "z"}).attrs = {{"axis", ai(0)}};
        m.outputs = {"y", "z"};
      },
      [](Model& m, fuzz::Input&) {  // Slice
        m.input("x", {4, 5});
        m.init("starts", {2}, {1, 0}, TP::INT64);
        m.init("ends", {2}, {3, 5}, TP::INT64);
        m.init("axes", {2}, {0, 1}, TP::INT64);
        m.init("steps", {2}, {1, 2}, TP::INT64);
        m.node("Slice", {"x", "starts", "ends", "axes", "steps"}, {"y"});
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // Gather
        m.input("x", {5, 3});
        m.init("idx", {2}, {4, -1}, TP::INT64);
        m.node("Gather", {"x", "idx"}, {"y"}).attrs = {{"axis", ai(0)}};
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input& in) {  // Unsqueeze / Squeeze (axes as an input at opset 13)
        bool un = in.boolean();
        m.input("x", un ? std::vector<int64_t>{2, 3} : std::vector<int64_t>{2, 1, 3});
        m.init("axes", {1}, {1}, TP::INT64);
        m.node(un ? "Unsqueeze" : "Squeeze", {"x", "axes"}, {"y"});
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // Pad
        m.input("x", {2, 3});
        m.init("pads", {4}, {0, 1, 1, 0}, TP::INT64);
        m.init("v", {}, {1.5});
        m.node("Pad", {"x", "pads", "v"}, {"y"}).attrs = {{"mode", as("constant")}};
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // Resize
        m.input("x", {1, 1, 2, 2});
        m.init("roi", {0});
        m.init("scales", {4}, {1, 1, 2, 2});
        m.node("Resize", {"x", "roi", "scales"}, {"y"}).attrs = {
            {"mode", as("nearest")}, {"coordinate_transformation_mode", as("asymmetric")}, {"nearest_mode", as("floor")}};
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // DepthToSpace
        m.input("x", {1, 4, 2, 2});
        m.node("DepthToSpace", {"x"}, {"y"}).attrs = {{"blocksize", ai(2)}, {"mode", as("CRD")}};
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // Expand and Where
        m.input("x", {3, 1});
        m.init("shape", {2}, {3, 4}, TP::INT64);
        m.init("cond", {4}, {1, 0, 1, 0}, TP::BOOL);
        m.init("other", {1}, {2});
        m.node("Expand", {"x", "shape"}, {"e"});
        m.node("Where", {"cond", "e", "other"}, {"y"});
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // Cast and Clip
        m.input("x", {2, 3});
        m.init("lo", {}, {-0.5});
        m.init("hi", {}, {0.5});
        m.node("Clip", {"x", "lo", "hi"}, {"c"});
        m.node("Cast", {"c"}, {"y"}).attrs = {{"to", ai(TP::INT32)}};
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // ConstantOfShape, Range, Constant
        m.init("shape", {2}, {2, 3}, TP::INT64);
        m.init("start", {}, {0}, TP::INT64);
        m.init("limit", {}, {3}, TP::INT64);
        m.init("delta", {}, {1}, TP::INT64);
        m.input("x", {2, 3});
        m.node("ConstantOfShape", {"shape"}, {"k"}).attrs = {{"value", atensor(tensor(TP::FLOAT, {1}, {2.0}))}};
        m.node("Range", {"start", "limit", "delta"}, {"r"});
        m.node("Cast", {"r"}, {"rf"}).attrs = {{"to", ai(TP::FLOAT)}};
        m.node("Constant", {}, {"one"}).attrs = {{"value", atensor(tensor(TP::FLOAT, {}, {1.0}))}};
        m.node("Add", {"x", "k"}, {"s"});
        m.node("Mul", {"s", "rf"}, {"t"});
        m.node("Sub", {"t", "one"}, {"y"});
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // torch's Shape/Gather/Unsqueeze/Concat/Reshape plumbing
        m.input("x", {-1, 3, 4});
        m.init("i0", {}, {0}, TP::INT64);
        m.init("ax", {1}, {0}, TP::INT64);
        m.init("minus1", {1}, {-1}, TP::INT64);
        m.node("Shape", {"x"}, {"s"});
        m.node("Gather", {"s", "i0"}, {"b"}).attrs = {{"axis", ai(0)}};
        m.node("Unsqueeze", {"b", "ax"}, {"bu"});
        m.node("Concat", {"bu", "minus1"}, {"shape"}).attrs = {{"axis", ai(0)}};
        m.node("Reshape", {"x", "shape"}, {"y"});
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input& in) {  // QuantizeLinear -> DequantizeLinear
        bool per_axis = in.boolean();
        m.input("x", {2, 3});
        m.init("s", per_axis ? std::vector<int64_t>{3} : std::vector<int64_t>{}, per_axis ? std::vector<double>{0.1, 0.2, 0.05} : std::vector<double>{0.1});
        m.init("z", per_axis ? std::vector<int64_t>{3} : std::vector<int64_t>{}, per_axis ? std::vector<double>{128, 120, 3} : std::vector<double>{128}, TP::UINT8);
        auto& q = m.node("QuantizeLinear", {"x", "s", "z"}, {"q"});
        auto& d = m.node("DequantizeLinear", {"q", "s", "z"}, {"y"});
        if (per_axis) q.attrs["axis"] = ai(1), d.attrs["axis"] = ai(1);
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // QLinearMatMul
        m.input("a", {2, 3}, TP::UINT8);
        m.init("as", {}, {0.05});
        m.init("az", {}, {128}, TP::UINT8);
        m.init("b", {3, 4}, {}, TP::INT8);
        m.init("bs", {}, {0.02});
        m.init("bz", {}, {0}, TP::INT8);
        m.init("ys", {}, {0.1});
        m.init("yz", {}, {100}, TP::UINT8);
        m.node("QLinearMatMul", {"a", "as", "az", "b", "bs", "bz", "ys", "yz"}, {"y"});
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // QLinearConv
        m.input("x", {1, 2, 4, 4}, TP::UINT8);
        m.init("xs", {}, {0.05});
        m.init("xz", {}, {128}, TP::UINT8);
        m.init("w", {2, 2, 3, 3}, {}, TP::INT8);
        m.init("ws", {2}, {0.02, 0.03});
        m.init("wz", {2}, {0, 0}, TP::INT8);
        m.init("ys", {}, {0.1});
        m.init("yz", {}, {100}, TP::UINT8);
        m.init("b", {2}, {5, -7}, TP::INT32);
        m.node("QLinearConv", {"x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"}, {"y"}).attrs = {
            {"kernel_shape", aints({3, 3})}, {"pads", aints({1, 1, 1, 1})}};
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input& in) {  // MatMulInteger / ConvInteger
        bool conv = in.boolean();
        m.input("x", conv ? std::vector<int64_t>{1, 1, 3, 3} : std::vector<int64_t>{2, 3}, TP::UINT8);
        m.init("w", conv ? std::vector<int64_t>{2, 1, 2, 2} : std::vector<int64_t>{3, 2}, {}, TP::INT8);
        m.init("xz", {}, {3}, TP::UINT8);
        m.node(conv ? "ConvInteger" : "MatMulInteger", {"x", "w", "xz"}, {"y"});
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // a small MLP block: Gemm, Relu, Gemm, Softmax
        m.input("x", {-1, 4});
        m.init("w1", {4, 6});
        m.init("b1", {6});
        m.init("w2", {6, 3});
        m.node("Gemm", {"x", "w1", "b1"}, {"h"});
        m.node("Relu", {"h"}, {"r"});
        m.node("MatMul", {"r", "w2"}, {"l"});
        m.node("Softmax", {"l"}, {"y"}).attrs = {{"axis", ai(1)}};
        m.outputs = {"y"};
      },
      [](Model& m, fuzz::Input&) {  // Not / Equal on bool and int inputs
        m.input("x", {4}, TP::INT64);
        m.init("c", {4}, {0, 1, 2, 3}, TP::INT64);
        m.node("Equal", {"x", "c"}, {"e"});
        m.node("Not", {"e"}, {"y"});
        m.outputs = {"y"};
      },
  };
  return b;
}

// ---- mutations ------------------------------------------------------------------------------------

const char* const kAttrNames[] = {"axis", "axes", "keepdims", "perm", "kernel_shape", "strides", "pads", "dilations",
                                  "group", "auto_pad", "ceil_mode", "count_include_pad", "epsilon", "alpha", "beta",
                                  "transA", "transB", "mode", "blocksize", "to", "value", "split", "allowzero",
                                  "coordinate_transformation_mode", "nearest_mode", "output_padding", "output_shape",
                                  "storage_order", "min", "max", "noop_with_empty_axes", "cubic_coeff_a",
                                  "exclude_outside", "extrapolation_value", "select_last_index", "seed", "ratio"};
const char* const kStrings[] = {"NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID", "constant", "reflect", "edge",
                                "nearest", "linear", "cubic", "half_pixel", "asymmetric", "align_corners",
                                "pytorch_half_pixel", "tf_crop_and_resize", "round_prefer_floor", "round_prefer_ceil",
                                "floor", "ceil", "DCR", "CRD", "tanh", "none", ""};
const char* const kOps[] = {
    "Conv", "ConvTranspose", "Gemm", "MatMul", "Add", "Mul", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool",
    "BatchNormalization", "LayerNormalization", "Softmax", "ReduceMean", "ReduceSum", "Reshape", "Flatten",
    "Transpose", "Concat", "Split", "Slice", "Gather", "Unsqueeze", "Squeeze", "Identity", "ConstantOfShape",
    "Range", "Shape", "Cast", "Expand", "Where", "Pad", "DepthToSpace", "Resize", "Dropout", "QuantizeLinear",
    "DequantizeLinear", "QLinearConv", "QLinearMatMul", "MatMulInteger", "ConvInteger", "Clip", "Pow", "NoSuchOp"};
const int kDtypes[] = {TP::FLOAT, TP::INT64, TP::INT32, TP::UINT8, TP::INT8, TP::BOOL, TP::DOUBLE, TP::INT16,
                       TP::UINT16, TP::FLOAT16, TP::STRING, TP::UNDEFINED, 99};

std::vector<int64_t> fuzz_dims(fuzz::Input& in, int max_rank = 5) {
  std::vector<int64_t> d(in.range<size_t>(0, static_cast<size_t>(max_rank)));
  for (auto& x : d) x = in.byte() < 16 ? in.small_int() : in.range<int64_t>(0, 6);
  return d;
}

std::vector<int64_t> fuzz_ints(fuzz::Input& in) {
  std::vector<int64_t> v(in.range<size_t>(0, 8));
  for (auto& x : v) x = in.small_int(-4, 8);
  return v;
}

double fuzz_value(fuzz::Input& in, int dtype) {
  if (dtype == TP::FLOAT || dtype == TP::DOUBLE) return in.real();
  return static_cast<double>(in.small_int(-8, 300));
}

Attr fuzz_attr(fuzz::Input& in, const Attr* old) {
  Attr::Kind k = old && in.byte() < 192 ? old->kind : static_cast<Attr::Kind>(in.range(0, 5));
  Attr a;
  a.kind = k;
  switch (k) {
    case Attr::I: a.i = in.small_int(-4, 8); break;
    case Attr::F: a.f = in.real(); break;
    case Attr::S: a.s = in.byte() < 200 ? std::string(in.pick(kStrings)) : in.string(16); break;
    case Attr::INTS:
      a.ints = old && old->kind == Attr::INTS && in.boolean() ? old->ints : fuzz_ints(in);
      if (!a.ints.empty() && in.boolean()) a.ints[in.range<size_t>(0, a.ints.size() - 1)] = in.small_int(-4, 8);
      break;
    case Attr::FLOATS:
      a.floats.resize(in.range<size_t>(0, 6));
      for (auto& f : a.floats) f = in.real();
      break;
    case Attr::T:
      a.t.dtype = in.pick(kDtypes);
      a.t.dims = fuzz_dims(in, 2);
      for (int64_t i = 0; i < std::min<int64_t>(numel(a.t.dims), 16); ++i) a.t.vals.push_back(fuzz_value(in, a.t.dtype));
      break;
  }
  return a;
}

// Every value name the model has (inputs, initializers, node outputs).
std::vector<std::string> value_names(const Model& m) {
  std::vector<std::string> v;
  for (const Vi& i : m.inputs) v.push_back(i.name);
  for (const Tns& t : m.inits) v.push_back(t.name);
  for (const Nd& n : m.nodes) v.insert(v.end(), n.out.begin(), n.out.end());
  return v;
}

void mutate(Model& m, fuzz::Input& in) {
  switch (in.byte() % 13) {
    case 0: case 1: case 2: {  // set an attribute (an existing one more often than a new one)
      Nd& n = m.nodes[in.range<size_t>(0, m.nodes.size() - 1)];
      std::string name;
      if (!n.attrs.empty() && in.byte() < 170) {
        auto it = n.attrs.begin();
        std::advance(it, in.range<size_t>(0, n.attrs.size() - 1));
        name = it->first;
      } else {
        name = in.pick(kAttrNames);
      }
      auto it = n.attrs.find(name);
      Attr a = fuzz_attr(in, it == n.attrs.end() ? nullptr : &it->second);
      n.attrs[name] = std::move(a);
      break;
    }
    case 3: {  // drop an attribute
      Nd& n = m.nodes[in.range<size_t>(0, m.nodes.size() - 1)];
      if (n.attrs.empty()) break;
      auto it = n.attrs.begin();
      std::advance(it, in.range<size_t>(0, n.attrs.size() - 1));
      n.attrs.erase(it);
      break;
    }
    case 4: {  // an input's dims
      if (m.inputs.empty()) break;
      Vi& v = m.inputs[in.range<size_t>(0, m.inputs.size() - 1)];
      uint8_t how = in.byte() % 4;
      if (how == 0) v.dims = fuzz_dims(in);
      else if (how == 1 && !v.dims.empty()) v.dims[in.range<size_t>(0, v.dims.size() - 1)] = in.range<int64_t>(-2, 7);
      else if (how == 2) v.has_shape = !v.has_shape;
      else v.dtype = in.pick(kDtypes);
      break;
    }
    case 5: {  // an initializer's dims, with data to match (or not)
      if (m.inits.empty()) break;
      Tns& t = m.inits[in.range<size_t>(0, m.inits.size() - 1)];
      t.dims = fuzz_dims(in, 4);
      int64_t n = std::min<int64_t>(numel(t.dims), 4096);
      if (in.byte() < 32) n = in.range<int64_t>(0, 8);  // a count that does not match the dims
      t.vals.resize(static_cast<size_t>(n));
      for (auto& v : t.vals) v = fuzz_value(in, t.dtype);
      break;
    }
    case 6: case 7: {  // initializer values
      if (m.inits.empty()) break;
      Tns& t = m.inits[in.range<size_t>(0, m.inits.size() - 1)];
      if (t.vals.empty()) break;
      int k = in.range(1, 4);
      for (int i = 0; i < k; ++i) t.vals[in.range<size_t>(0, t.vals.size() - 1)] = fuzz_value(in, t.dtype);
      break;
    }
    case 8: {  // an initializer's dtype or encoding
      if (m.inits.empty()) break;
      Tns& t = m.inits[in.range<size_t>(0, m.inits.size() - 1)];
      uint8_t how = in.byte() % 3;
      if (how == 0) t.dtype = in.pick(kDtypes);
      else if (how == 1) t.raw = !t.raw;
      else t.garbage = true, t.bytes = in.bytes(in.range<size_t>(0, 64));
      break;
    }
    case 9: m.opset = static_cast<int>(in.small_int(5, 19)); break;
    case 10: {  // rewire a node input: another value, omitted, or a name nothing defines
      Nd& n = m.nodes[in.range<size_t>(0, m.nodes.size() - 1)];
      std::vector<std::string> names = value_names(m);
      size_t k = in.range<size_t>(0, n.in.size());
      std::string v = in.byte() < 200 ? in.pick(names) : (in.boolean() ? "" : "undefined_value");
      if (k == n.in.size()) n.in.push_back(v);
      else if (in.byte() < 32) n.in.erase(n.in.begin() + static_cast<long>(k));
      else n.in[k] = v;
      break;
    }
    case 11: m.nodes[in.range<size_t>(0, m.nodes.size() - 1)].op = in.pick(kOps); break;
    case 12: {  // graph outputs: another value, or one more
      std::vector<std::string> names = value_names(m);
      if (in.boolean() || m.outputs.empty()) m.outputs.push_back(in.pick(names));
      else m.outputs[in.range<size_t>(0, m.outputs.size() - 1)] = in.pick(names);
      break;
    }
  }
}

// ---- running it -------------------------------------------------------------------------------------

coda::Tensor fixed_input(const coda::graph::Value& v) {
  coda::Tensor t(v.dtype, v.shape);
  for (int64_t i = 0; i < t.numel(); ++i) {
    switch (v.dtype) {
      case coda::DType::f32: t.data<float>()[i] = 0.25f * static_cast<float>(i % 9) - 1.0f; break;
      default: break;  // zero-filled: every integer and bool dtype
    }
  }
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coda;
  fuzz::Input in(data, size);
  Model m;
  builders()[in.range<size_t>(0, builders().size() - 1)](m, in);
  for (int k = 0; k < 24 && !in.empty(); ++k) mutate(m, in);
  const std::string bytes = serialize(m);
  return fuzz::guarded([&] {
    graph::Graph g = coda::onnx::import_bytes(bytes, "fuzz.onnx");
    exec::prepare(g);
    exec::specialize(g, 2);
    // Run it when every value is static and small.
    int64_t total = 0;
    for (size_t i = 0; i < g.num_values(); ++i) {
      const graph::Value& v = g.value(static_cast<graph::ValueId>(i));
      if (v.producer < 0 && !v.is_constant()) continue;
      if (!v.fully_static()) return;
      int64_t n = 1;
      for (int64_t d : v.shape)
        if (__builtin_mul_overflow(n, d, &n)) return;
      if (n > (1 << 16) || (total += n) > (1 << 18)) return;
    }
    if (workload::totals(workload::extract(g)).macs > 2'000'000) return;
    std::vector<Tensor> inputs;
    for (graph::ValueId id : g.inputs()) {
      const graph::Value& v = g.value(id);
      if (v.is_constant()) continue;
      if (!v.fully_static() || v.dtype == DType::undefined) return;
      int64_t n = 1;
      for (int64_t d : v.shape)
        if (__builtin_mul_overflow(n, d, &n) || n > (1 << 16)) return;
      inputs.push_back(fixed_input(v));
    }
    exec::Executor ex(std::move(g), {.threads = 1});
    ex.run(inputs);
    if (std::getenv("CODA_FUZZ_VERBOSE")) std::fprintf(stderr, "fuzz: executed\n");
  });
}
