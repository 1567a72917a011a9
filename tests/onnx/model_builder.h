// Builds small ONNX models in tests with the protobuf API directly (no coda code involved), so
// import tests check coda against files it did not write.
#pragma once
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace coda::testing {

struct ModelBuilder {
  ::onnx::ModelProto m;
  explicit ModelBuilder(int opset = 13) {
    m.set_ir_version(8);
    auto* os = m.add_opset_import();
    os->set_domain("");
    os->set_version(opset);
    m.mutable_graph()->set_name("test");
  }
  ::onnx::GraphProto* g() { return m.mutable_graph(); }
  void value_info(::onnx::ValueInfoProto* vi, const std::string& name, const std::vector<int64_t>& shape, int elem = 1) {
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem);
    auto* sh = tt->mutable_shape();
    for (int64_t d : shape) {
      if (d < 0) sh->add_dim()->set_dim_param("batch");
      else sh->add_dim()->set_dim_value(d);
    }
  }
  void input(const std::string& name, const std::vector<int64_t>& shape, int elem = 1) { value_info(g()->add_input(), name, shape, elem); }
  void output(const std::string& name, const std::vector<int64_t>& shape = {}, int elem = 1) { value_info(g()->add_output(), name, shape, elem); }
  void init(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& vals) {
    auto* t = g()->add_initializer();
    t->set_name(name);
    t->set_data_type(1);
    for (auto d : dims) t->add_dims(d);
    for (auto v : vals) t->add_float_data(v);
  }
  void init_i64(const std::string& name, const std::vector<int64_t>& vals) {
    auto* t = g()->add_initializer();
    t->set_name(name);
    t->set_data_type(7);
    t->add_dims(static_cast<int64_t>(vals.size()));
    for (auto v : vals) t->add_int64_data(v);
  }
  ::onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& ins, const std::vector<std::string>& outs,
                          const std::string& name = "") {
    auto* n = g()->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? op + std::to_string(g()->node_size()) : name);
    for (auto& i : ins) n->add_input(i);
    for (auto& o : outs) n->add_output(o);
    return n;
  }
  static void attr_int(::onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr_ints(::onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INTS);
    for (auto x : v) a->add_ints(x);
  }
  std::string bytes() const { return m.SerializeAsString(); }
};

}  // namespace coda::testing
