#include "coda/onnx/export.h"

#include <onnx/onnx_pb.h>

#include <fstream>
#include <set>

#include "coda/onnx/import.h"
#include "coda/onnx/proto_io.h"

namespace coda::onnx {

namespace {

using graph::Attribute;
using graph::Graph;
using graph::kNoValue;
using graph::ValueId;

void set_attribute(const std::string& name, const Attribute& a, ::onnx::AttributeProto* p) {
  using A = ::onnx::AttributeProto;
  p->set_name(name);
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int64_t>) {
          p->set_type(A::INT);
          p->set_i(v);
        } else if constexpr (std::is_same_v<T, float>) {
          p->set_type(A::FLOAT);
          p->set_f(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          p->set_type(A::STRING);
          p->set_s(v);
        } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
          p->set_type(A::INTS);
          for (auto x : v) p->add_ints(x);
        } else if constexpr (std::is_same_v<T, std::vector<float>>) {
          p->set_type(A::FLOATS);
          for (auto x : v) p->add_floats(x);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          p->set_type(A::STRINGS);
          for (const auto& x : v) p->add_strings(x);
        } else {
          p->set_type(A::TENSOR);
          to_proto(v, "", p->mutable_t());
        }
      },
      a.storage());
}

void set_value_info(const graph::Value& v, ::onnx::ValueInfoProto* p) {
  p->set_name(v.name);
  auto* tt = p->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(dtype_onnx_code(v.dtype == DType::undefined ? DType::f32 : v.dtype));
  if (!v.shape_known) return;
  auto* sh = tt->mutable_shape();
  for (size_t i = 0; i < v.shape.size(); ++i) {
    auto* d = sh->add_dim();
    std::string param = i < v.dim_params.size() ? v.dim_params[i] : "";
    if (!param.empty()) d->set_dim_param(param);
    else if (v.shape[i] >= 0) d->set_dim_value(v.shape[i]);
  }
}

}  // namespace

std::string export_bytes(const Graph& g) {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("coda");
  auto* os = m.add_opset_import();
  os->set_domain("");
  os->set_version(std::min(g.opset(), kMaxOpset));
  for (const auto& [k, v] : g.metadata()) {
    auto* kv = m.add_metadata_props();
    kv->set_key(k);
    kv->set_value(v);
  }
  auto* gp = m.mutable_graph();
  gp->set_name(g.name());
  std::set<ValueId> written;
  // Constants that nodes or outputs use become initializers.
  auto add_init = [&](ValueId id) {
    if (id == kNoValue || written.count(id)) return;
    const graph::Value& v = g.value(id);
    if (!v.is_constant()) return;
    to_proto(*v.constant, v.name, gp->add_initializer());
    written.insert(id);
  };
  for (ValueId in : g.inputs()) {
    if (g.value(in).is_constant()) continue;
    set_value_info(g.value(in), gp->add_input());
  }
  for (const auto& n : g.nodes()) {
    auto* np = gp->add_node();
    np->set_op_type(graph::op_name(n.op));
    np->set_name(n.name);
    for (ValueId in : n.inputs) {
      np->add_input(in == kNoValue ? "" : g.value(in).name);
      add_init(in);
    }
    for (ValueId out : n.outputs) np->add_output(out == kNoValue ? "" : g.value(out).name);
    for (const auto& [name, a] : n.attrs) {
      if (!name.empty() && name[0] == '_') continue;  // coda-internal (e.g. _opset)
      set_attribute(name, a, np->add_attribute());
    }
  }
  for (ValueId out : g.outputs()) {
    add_init(out);
    set_value_info(g.value(out), gp->add_output());
  }
  std::string bytes;
  if (!m.SerializeToString(&bytes)) throw InternalError(g.name(), "ONNX serialisation failed");
  return bytes;
}

void export_file(const Graph& g, const std::string& path) {
  std::string bytes = export_bytes(g);
  std::ofstream out(path, std::ios::binary);
  if (!out) throw IoError(path, "cannot open for writing");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw IoError(path, "write failed");
}

}  // namespace coda::onnx
