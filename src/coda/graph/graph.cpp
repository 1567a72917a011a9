#include "coda/graph/graph.h"

#include <algorithm>
#include <queue>

namespace coda::graph {

bool Value::fully_static() const {
  if (!shape_known) return false;
  return std::all_of(shape.begin(), shape.end(), [](int64_t d) { return d >= 0; });
}

namespace {
std::string where(const Node& n) { return "node " + (n.name.empty() ? std::string(op_name(n.op)) : n.name); }
}  // namespace

int64_t Node::i(const std::string& a) const {
  auto it = attrs.find(a);
  if (it == attrs.end()) throw InvalidError(where(*this), "missing attribute '" + a + "'");
  if (auto p = it->second.get_if<int64_t>()) return *p;
  throw InvalidError(where(*this), "attribute '" + a + "' is not an int");
}
int64_t Node::i(const std::string& a, int64_t dflt) const { return has(a) ? i(a) : dflt; }

float Node::f(const std::string& a, float dflt) const {
  auto it = attrs.find(a);
  if (it == attrs.end()) return dflt;
  if (auto p = it->second.get_if<float>()) return *p;
  if (auto p = it->second.get_if<int64_t>()) return static_cast<float>(*p);
  throw InvalidError(where(*this), "attribute '" + a + "' is not a float");
}

std::string Node::s(const std::string& a, const std::string& dflt) const {
  auto it = attrs.find(a);
  if (it == attrs.end()) return dflt;
  if (auto p = it->second.get_if<std::string>()) return *p;
  throw InvalidError(where(*this), "attribute '" + a + "' is not a string");
}

std::vector<int64_t> Node::ints(const std::string& a, std::vector<int64_t> dflt) const {
  auto it = attrs.find(a);
  if (it == attrs.end()) return dflt;
  if (auto p = it->second.get_if<std::vector<int64_t>>()) return *p;
  if (auto p = it->second.get_if<int64_t>()) return {*p};
  throw InvalidError(where(*this), "attribute '" + a + "' is not a list of ints");
}

std::vector<float> Node::floats(const std::string& a, std::vector<float> dflt) const {
  auto it = attrs.find(a);
  if (it == attrs.end()) return dflt;
  if (auto p = it->second.get_if<std::vector<float>>()) return *p;
  if (auto p = it->second.get_if<float>()) return {*p};
  throw InvalidError(where(*this), "attribute '" + a + "' is not a list of floats");
}

const Tensor& Node::t(const std::string& a) const {
  auto it = attrs.find(a);
  if (it == attrs.end()) throw InvalidError(where(*this), "missing attribute '" + a + "'");
  if (auto p = it->second.get_if<Tensor>()) return *p;
  throw InvalidError(where(*this), "attribute '" + a + "' is not a tensor");
}

std::string Graph::fresh_name(const std::string& base) {
  if (!by_name_.count(base)) return base;
  for (int k = 1;; ++k) {
    std::string n = base + "_" + std::to_string(k);
    if (!by_name_.count(n)) return n;
  }
}

ValueId Graph::add_value(const std::string& name, DType dtype) {
  std::string n = name.empty() ? fresh_name("v" + std::to_string(values_.size())) : name;
  if (by_name_.count(n)) throw InvalidError(name_, "value '" + n + "' defined twice");
  Value v;
  v.name = n;
  v.dtype = dtype;
  values_.push_back(std::move(v));
  ValueId id = static_cast<ValueId>(values_.size() - 1);
  by_name_[n] = id;
  return id;
}

ValueId Graph::add_input(const std::string& name, DType dtype, Shape shape) {
  ValueId id = add_value(name, dtype);
  Value& v = value(id);
  v.shape = std::move(shape);
  v.shape_known = true;
  inputs_.push_back(id);
  return id;
}

ValueId Graph::add_constant(const std::string& name, Tensor t) {
  ValueId id = add_value(name, t.dtype());
  Value& v = value(id);
  v.shape = t.shape();
  v.shape_known = true;
  v.constant = std::move(t);
  return id;
}

ValueId Graph::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? kNoValue : it->second;
}

int Graph::add_node(OpKind op, const std::string& name, std::vector<ValueId> inputs, std::vector<ValueId> outputs,
                    std::map<std::string, Attribute> attrs) {
  Node n;
  n.op = op;
  n.name = name;
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  n.attrs = std::move(attrs);
  nodes_.push_back(std::move(n));
  int idx = static_cast<int>(nodes_.size() - 1);
  for (ValueId o : nodes_.back().outputs)
    if (o != kNoValue) value(o).producer = idx;
  return idx;
}

void Graph::recompute_producers() {
  for (auto& v : values_) v.producer = -1;
  for (size_t i = 0; i < nodes_.size(); ++i)
    for (ValueId o : nodes_[i].outputs)
      if (o != kNoValue) values_[static_cast<size_t>(o)].producer = static_cast<int>(i);
}

void Graph::sort() {
  recompute_producers();
  size_t n = nodes_.size();
  std::vector<int> indeg(n, 0);
  std::vector<std::vector<int>> users(n);
  for (size_t i = 0; i < n; ++i)
    for (ValueId in : nodes_[i].inputs) {
      if (in == kNoValue) continue;
      int p = values_[static_cast<size_t>(in)].producer;
      if (p >= 0) {
        ++indeg[i];
        users[static_cast<size_t>(p)].push_back(static_cast<int>(i));
      }
    }
  // Stable: among ready nodes, keep the original order.
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (size_t i = 0; i < n; ++i)
    if (indeg[i] == 0) ready.push(static_cast<int>(i));
  std::vector<int> order;
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int u : users[static_cast<size_t>(i)])
      if (--indeg[static_cast<size_t>(u)] == 0) ready.push(u);
  }
  if (order.size() != n) {
    for (size_t i = 0; i < n; ++i)
      if (indeg[i] > 0) throw InvalidError(name_, "graph has a cycle through " + where(nodes_[i]));
  }
  std::vector<Node> sorted;
  sorted.reserve(n);
  for (int i : order) sorted.push_back(std::move(nodes_[static_cast<size_t>(i)]));
  nodes_ = std::move(sorted);
  recompute_producers();
}

void Graph::remove_dead_nodes() {
  recompute_producers();
  std::vector<bool> live_val(values_.size(), false), live_node(nodes_.size(), false);
  std::vector<ValueId> stack(outputs_.begin(), outputs_.end());
  while (!stack.empty()) {
    ValueId v = stack.back();
    stack.pop_back();
    if (v == kNoValue || live_val[static_cast<size_t>(v)]) continue;
    live_val[static_cast<size_t>(v)] = true;
    int p = values_[static_cast<size_t>(v)].producer;
    if (p >= 0 && !live_node[static_cast<size_t>(p)]) {
      live_node[static_cast<size_t>(p)] = true;
      for (ValueId in : nodes_[static_cast<size_t>(p)].inputs) stack.push_back(in);
    }
  }
  std::vector<Node> kept;
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (live_node[i]) kept.push_back(std::move(nodes_[i]));
  nodes_ = std::move(kept);
  recompute_producers();
}

}  // namespace coda::graph
