// coda::graph::Graph: the IR every module works on. Values (typed, shaped, maybe constant), nodes
// (an OpKind, inputs, outputs, attributes) and the graph's inputs and outputs.
//
//   Graph g("tiny");
//   ValueId x = g.add_input("x", DType::f32, {1, 4});
//   ValueId w = g.add_constant("w", Tensor(DType::f32, {4, 2}));
//   ValueId y = g.add_value("y");
//   g.add_node(OpKind::MatMul, "mm", {x, w}, {y});
//   g.mark_output(y);
//   verify(g);   // throws InvalidError on a dangling name, a cycle, a bad arity
#pragma once
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "coda/core/tensor.h"
#include "coda/graph/ops.h"

namespace coda::graph {

using ValueId = int;
constexpr ValueId kNoValue = -1;  // an omitted optional input

// One dimension: a size >= 0, or unknown (-1) with an optional symbolic name ("batch").
struct Value {
  std::string name;
  DType dtype = DType::undefined;
  Shape shape;                      // dims; -1 where unknown
  std::vector<std::string> dim_params;  // symbolic names per dim ("" where none); may be empty
  bool shape_known = false;         // rank known (dims may still be -1)
  std::optional<Tensor> constant;   // set for initializers and folded values
  int producer = -1;                // node index, -1 for inputs and constants

  bool is_constant() const { return constant.has_value(); }
  bool fully_static() const;        // rank known and every dim >= 0
};

class Attribute {
 public:
  using Storage = std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>,
                               std::vector<std::string>, Tensor>;
  Attribute() = default;
  template <class T> Attribute(T v) : v_(std::move(v)) {}
  Attribute(int v) : v_(static_cast<int64_t>(v)) {}
  Attribute(double v) : v_(static_cast<float>(v)) {}
  Attribute(const char* s) : v_(std::string(s)) {}
  const Storage& storage() const { return v_; }
  template <class T> const T* get_if() const { return std::get_if<T>(&v_); }
 private:
  Storage v_;
};

struct Node {
  OpKind op = OpKind::Unknown;
  std::string name;
  std::vector<ValueId> inputs;   // kNoValue for an omitted optional input
  std::vector<ValueId> outputs;  // kNoValue for an unused optional output
  std::map<std::string, Attribute> attrs;

  bool has(const std::string& a) const { return attrs.count(a) != 0; }
  // Typed attribute getters; the ones without a default throw InvalidError naming node and attribute.
  int64_t i(const std::string& a) const;
  int64_t i(const std::string& a, int64_t dflt) const;
  float f(const std::string& a, float dflt) const;
  std::string s(const std::string& a, const std::string& dflt) const;
  std::vector<int64_t> ints(const std::string& a, std::vector<int64_t> dflt = {}) const;
  std::vector<float> floats(const std::string& a, std::vector<float> dflt = {}) const;
  const Tensor& t(const std::string& a) const;
  // Input k is present (k < inputs.size() and not kNoValue).
  bool has_input(size_t k) const { return k < inputs.size() && inputs[k] != kNoValue; }
};

class Graph {
 public:
  explicit Graph(std::string name = "graph") : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  void set_name(std::string n) { name_ = std::move(n); }
  int opset() const { return opset_; }
  void set_opset(int v) { opset_ = v; }
  // Free-form key/value metadata (ONNX metadata_props: coda.task, coda.dataset, ...).
  std::map<std::string, std::string>& metadata() { return metadata_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  // Values. Names are unique; add_value with an empty name makes a fresh one.
  ValueId add_value(const std::string& name, DType dtype = DType::undefined);
  ValueId add_input(const std::string& name, DType dtype, Shape shape);
  ValueId add_constant(const std::string& name, Tensor t);
  ValueId find(const std::string& name) const;  // kNoValue if absent
  Value& value(ValueId id) { return values_.at(static_cast<size_t>(id)); }
  const Value& value(ValueId id) const { return values_.at(static_cast<size_t>(id)); }
  size_t num_values() const { return values_.size(); }
  std::string fresh_name(const std::string& base);

  // Nodes, kept in topological order by sort() (and by construction when built in order).
  int add_node(OpKind op, const std::string& name, std::vector<ValueId> inputs, std::vector<ValueId> outputs,
               std::map<std::string, Attribute> attrs = {});
  std::vector<Node>& nodes() { return nodes_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const Node& node(int i) const { return nodes_.at(static_cast<size_t>(i)); }

  const std::vector<ValueId>& inputs() const { return inputs_; }
  const std::vector<ValueId>& outputs() const { return outputs_; }
  void mark_output(ValueId v) { outputs_.push_back(v); }
  std::vector<ValueId>& mutable_inputs() { return inputs_; }
  std::vector<ValueId>& mutable_outputs() { return outputs_; }

  // Orders nodes topologically (stable); throws InvalidError on a cycle. Recomputes producers.
  void sort();
  // Removes nodes whose outputs are not needed by the graph outputs, and unused values stay (ids stable).
  void remove_dead_nodes();
  void recompute_producers();

 private:
  std::string name_;
  int opset_ = 17;
  std::map<std::string, std::string> metadata_;
  std::vector<Value> values_;
  std::map<std::string, ValueId> by_name_;
  std::vector<Node> nodes_;
  std::vector<ValueId> inputs_, outputs_;
};

// Checks structure: every input defined before use, one producer per value, arity per op, no
// cycles, graph outputs produced. Throws InvalidError("<graph>: node <n>", ...) on the first problem.
void verify(const Graph& g);

}  // namespace coda::graph
