#include "coda/onnx/import.h"

#include <onnx/onnx_pb.h>

#include <set>

#include "coda/core/file_io.h"
#include "coda/onnx/proto_io.h"

namespace coda::onnx {

namespace {

using graph::Attribute;
using graph::Graph;
using graph::kNoValue;
using graph::OpKind;
using graph::ValueId;

std::string node_where(const std::string& file, const ::onnx::NodeProto& n, int idx) {
  return file + ": node " + (n.name().empty() ? n.op_type() + "#" + std::to_string(idx) : n.name());
}

Attribute convert_attribute(const ::onnx::AttributeProto& a, const std::string& where) {
  using A = ::onnx::AttributeProto;
  switch (a.type()) {
    case A::INT: return Attribute(static_cast<int64_t>(a.i()));
    case A::FLOAT: return Attribute(a.f());
    case A::STRING: return Attribute(a.s());
    case A::INTS: return Attribute(std::vector<int64_t>(a.ints().begin(), a.ints().end()));
    case A::FLOATS: return Attribute(std::vector<float>(a.floats().begin(), a.floats().end()));
    case A::STRINGS: return Attribute(std::vector<std::string>(a.strings().begin(), a.strings().end()));
    case A::TENSOR: return Attribute(from_proto(a.t(), where + ": attribute '" + a.name() + "'"));
    case A::UNDEFINED: {
      // Older writers leave `type` unset; infer it from the field that is filled.
      if (a.has_i()) return Attribute(static_cast<int64_t>(a.i()));
      if (a.has_f()) return Attribute(a.f());
      if (a.has_s()) return Attribute(a.s());
      if (a.ints_size()) return Attribute(std::vector<int64_t>(a.ints().begin(), a.ints().end()));
      if (a.floats_size()) return Attribute(std::vector<float>(a.floats().begin(), a.floats().end()));
      if (a.has_t()) return Attribute(from_proto(a.t(), where + ": attribute '" + a.name() + "'"));
      throw ParseError(where, "attribute '" + a.name() + "' has no type and no value");
    }
    default:
      throw UnsupportedError(where, "attribute '" + a.name() + "' of type " + A::AttributeType_Name(a.type()) +
                                        " is not supported");
  }
}

// Element type and shape declared by a ValueInfoProto (graph inputs and outputs).
void read_value_info(const ::onnx::ValueInfoProto& vi, graph::Value& v, const std::string& where) {
  if (!vi.has_type()) return;
  if (!vi.type().has_tensor_type())
    throw UnsupportedError(where, "value '" + vi.name() + "' is not a tensor (sequences/maps are not supported)");
  const auto& tt = vi.type().tensor_type();
  if (tt.has_elem_type()) {
    DType dt = dtype_from_onnx(tt.elem_type());
    if (dt == DType::undefined)
      throw UnsupportedError(where, format("value '%s' has element type %s, which is not supported", vi.name().c_str(),
                                           ::onnx::TensorProto_DataType_Name(tt.elem_type()).c_str()));
    v.dtype = dt;
  }
  if (tt.has_shape()) {
    v.shape.clear();
    v.dim_params.clear();
    for (const auto& d : tt.shape().dim()) {
      if (d.has_dim_value()) {
        if (d.dim_value() < 0) throw ParseError(where, "value '" + vi.name() + "' has a negative dimension");
        v.shape.push_back(d.dim_value());
      } else {
        v.shape.push_back(-1);
      }
      v.dim_params.push_back(d.has_dim_param() ? d.dim_param() : "");
    }
    v.shape_known = true;
  }
}

Graph convert(const ::onnx::ModelProto& m, const std::string& file) {
  if (!m.has_graph()) throw ParseError(file, "not an ONNX model (no graph)");
  int opset = -1;
  for (const auto& os : m.opset_import()) {
    if (os.domain().empty() || os.domain() == "ai.onnx") opset = static_cast<int>(os.version());
  }
  if (opset < 0) {
    if (m.opset_import_size() == 0) throw ParseError(file, "model declares no opset");
    opset = kMaxOpset;  // only non-default domains declared; their ops are rejected below
  }
  if (opset > kMaxOpset)
    throw UnsupportedError(file, format("opset %d is newer than the newest supported (%d)", opset, kMaxOpset));
  if (opset < kMinOpset)
    throw UnsupportedError(file, format("opset %d is older than the oldest supported (%d)", opset, kMinOpset));

  const auto& gp = m.graph();
  Graph g(gp.name().empty() ? "graph" : gp.name());
  g.set_opset(opset);
  for (const auto& kv : m.metadata_props()) g.metadata()[kv.key()] = kv.value();

  // Initializers are constants (an input with an initializer is a constant with a default).
  std::set<std::string> init_names;
  for (const auto& t : gp.initializer()) {
    if (t.name().empty()) throw ParseError(file, "initializer without a name");
    if (g.find(t.name()) != kNoValue) throw InvalidError(file, "initializer '" + t.name() + "' defined twice");
    g.add_constant(t.name(), from_proto(t, file + ": initializer"));
    init_names.insert(t.name());
  }
  if (gp.sparse_initializer_size()) throw UnsupportedError(file, "sparse initializers are not supported");
  for (const auto& in : gp.input()) {
    if (init_names.count(in.name())) continue;
    if (in.name().empty()) throw ParseError(file, "graph input without a name");
    if (g.find(in.name()) != kNoValue) throw InvalidError(file, "graph input '" + in.name() + "' defined twice");
    graph::Value tmp;
    read_value_info(in, tmp, file + ": input '" + in.name() + "'");
    ValueId id = g.add_input(in.name(), tmp.dtype, tmp.shape);
    g.value(id).dim_params = tmp.dim_params;
    g.value(id).shape_known = tmp.shape_known;
  }
  // Every node output first, so that nodes may appear in any order in the file.
  for (int i = 0; i < gp.node_size(); ++i) {
    const auto& n = gp.node(i);
    for (const auto& o : n.output()) {
      if (o.empty()) continue;
      if (g.find(o) != kNoValue)
        throw InvalidError(node_where(file, n, i), "output '" + o + "' is defined twice");
      g.add_value(o);
    }
  }
  for (int i = 0; i < gp.node_size(); ++i) {
    const auto& n = gp.node(i);
    std::string where = node_where(file, n, i);
    if (!(n.domain().empty() || n.domain() == "ai.onnx"))
      throw UnsupportedError(where, "op '" + n.domain() + "." + n.op_type() + "' is not supported (custom domain)");
    OpKind op = graph::op_from_name(n.op_type());
    if (op == OpKind::Unknown) throw UnsupportedError(where, "op '" + n.op_type() + "' is not supported");
    std::vector<ValueId> ins, outs;
    for (const auto& in : n.input()) {
      if (in.empty()) {
        ins.push_back(kNoValue);
        continue;
      }
      ValueId id = g.find(in);
      if (id == kNoValue) throw InvalidError(where, "input '" + in + "' is not defined anywhere in the graph");
      ins.push_back(id);
    }
    while (!ins.empty() && ins.back() == kNoValue) ins.pop_back();  // trailing omitted optionals
    for (const auto& o : n.output()) outs.push_back(o.empty() ? kNoValue : g.find(o));
    std::map<std::string, Attribute> attrs;
    for (const auto& a : n.attribute()) {
      if (a.name().empty()) throw ParseError(where, "attribute without a name");
      if (!a.ref_attr_name().empty()) throw UnsupportedError(where, "attribute references are not supported");
      attrs[a.name()] = convert_attribute(a, where);
    }
    attrs["_opset"] = Attribute(static_cast<int64_t>(opset));
    g.add_node(op, n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name(), std::move(ins),
               std::move(outs), std::move(attrs));
  }
  for (const auto& out : gp.output()) {
    ValueId id = g.find(out.name());
    if (id == kNoValue) throw InvalidError(file, "graph output '" + out.name() + "' is never produced");
    graph::Value& v = g.value(id);
    if (!v.is_constant() && v.producer >= 0) {
      graph::Value declared;
      read_value_info(out, declared, file + ": output '" + out.name() + "'");
      if (v.dtype == DType::undefined) v.dtype = declared.dtype;
    }
    g.mark_output(id);
  }
  try {
    g.sort();
    graph::verify(g);
  } catch (const InvalidError& e) {  // name the file, not only the graph
    throw InvalidError(file + ": " + e.where(), e.message());
  }
  return g;
}

}  // namespace

Graph import_bytes(const std::string& bytes, const std::string& where) {
  ::onnx::ModelProto m;
  if (bytes.empty()) throw ParseError(where, "empty file, not an ONNX model");
  if (!m.ParseFromString(bytes)) throw ParseError(where, "not an ONNX model (protobuf parse failed)");
  if (m.ir_version() <= 0 && !m.has_graph()) throw ParseError(where, "not an ONNX model (no IR version, no graph)");
  try {
    return convert(m, where);
  } catch (const InternalError&) {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw ParseError(where, std::string("malformed model: ") + e.what());
  }
}

Graph import_file(const std::string& path) { return import_bytes(read_file(path), path); }

Tensor read_tensor_file(const std::string& path) {
  std::string bytes = read_file(path);
  ::onnx::TensorProto p;
  if (!p.ParseFromString(bytes)) throw ParseError(path, "not a serialized onnx.TensorProto");
  return from_proto(p, path);
}

}  // namespace coda::onnx
