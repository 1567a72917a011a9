#include "coda/exec/executor.h"

#include "coda/exec/fuse_activations.h"
#include "coda/graph/infer.h"

namespace coda::exec {

using graph::kNoValue;
using graph::ValueId;

void prepare(graph::Graph& g) {
  g.sort();
  graph::verify(g);
  graph::fold_constants(g, evaluate_node_serial);
  graph::verify(g);
}

void specialize(graph::Graph& g, int64_t batch) {
  for (ValueId in : g.inputs()) {
    graph::Value& v = g.value(in);
    if (v.is_constant()) continue;
    Shape s = v.shape;
    for (auto& d : s)
      if (d < 0) d = batch;
    graph::bind_input_shape(g, in, s);
  }
  graph::fold_constants(g, evaluate_node_serial);
}

// A graph specialised for one set of input shapes, with the step at which each value dies.
struct Executor::Plan {
  graph::Graph g;
  std::vector<int> last_use;  // per value: index of the last node reading it (-1: never read)
  std::vector<ValueId> runtime_inputs;
};

Executor::Executor(graph::Graph g, ExecutorOptions opts)
    : graph_(std::move(g)), pool_(std::make_unique<ThreadPool>(opts.threads)) {
  prepare(graph_);
}

Executor::~Executor() = default;

std::vector<std::string> Executor::input_names() const {
  std::vector<std::string> r;
  for (ValueId v : graph_.inputs())
    if (!graph_.value(v).is_constant()) r.push_back(graph_.value(v).name);
  return r;
}

std::vector<std::string> Executor::output_names() const {
  std::vector<std::string> r;
  for (ValueId v : graph_.outputs()) r.push_back(graph_.value(v).name);
  return r;
}

Executor::Plan& Executor::plan_for(const std::vector<Tensor>& inputs) {
  std::vector<ValueId> rt;
  for (ValueId v : graph_.inputs())
    if (!graph_.value(v).is_constant()) rt.push_back(v);
  if (inputs.size() != rt.size())
    throw InvalidError(graph_.name(), format("model takes %zu inputs, %zu given", rt.size(), inputs.size()));
  std::string key;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const graph::Value& decl = graph_.value(rt[i]);
    const Tensor& t = inputs[i];
    std::string where = graph_.name() + ": input '" + decl.name + "'";
    if (!t.defined()) throw InvalidError(where, "no tensor given");
    if (decl.dtype != DType::undefined && t.dtype() != decl.dtype)
      throw InvalidError(where, format("expects %s, got %s", dtype_name(decl.dtype), dtype_name(t.dtype())));
    if (decl.shape_known) {
      if (decl.shape.size() != t.shape().size())
        throw InvalidError(where, "expects shape " + shape_str(decl.shape) + ", got " + shape_str(t.shape()));
      for (size_t d = 0; d < decl.shape.size(); ++d)
        if (decl.shape[d] >= 0 && decl.shape[d] != t.shape()[d])
          throw InvalidError(where, "expects shape " + shape_str(decl.shape) + ", got " + shape_str(t.shape()));
    }
    key += std::string(dtype_name(t.dtype())) + shape_str(t.shape()) + ";";
  }
  auto it = plans_.find(key);
  if (it != plans_.end()) return *it->second;

  auto plan = std::make_unique<Plan>();
  plan->g = graph_;
  for (size_t i = 0; i < inputs.size(); ++i) {
    graph::bind_input_shape(plan->g, rt[i], inputs[i].shape());
    plan->g.value(rt[i]).dtype = inputs[i].dtype();
  }
  graph::fold_constants(plan->g, evaluate_node_serial);
  fuse_activations(plan->g);
  plan->runtime_inputs = rt;
  plan->last_use.assign(plan->g.num_values(), -1);
  const auto& nodes = plan->g.nodes();
  for (size_t i = 0; i < nodes.size(); ++i)
    for (ValueId in : nodes[i].inputs)
      if (in != kNoValue) plan->last_use[static_cast<size_t>(in)] = static_cast<int>(i);
  for (ValueId o : plan->g.outputs()) plan->last_use[static_cast<size_t>(o)] = static_cast<int>(nodes.size());
  if (plans_.size() > 16) plans_.clear();  // bound the cache
  return *(plans_[key] = std::move(plan));
}

std::vector<Tensor> Executor::run(const std::vector<Tensor>& inputs) {
  Plan& p = plan_for(inputs);
  const graph::Graph& g = p.g;
  std::vector<Tensor> slot(g.num_values());
  for (size_t i = 0; i < p.runtime_inputs.size(); ++i) slot[static_cast<size_t>(p.runtime_inputs[i])] = inputs[i];
  KernelContext ctx{pool_.get()};
  const auto& nodes = g.nodes();
  std::vector<Tensor> ins;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const graph::Node& n = nodes[i];
    ins.clear();
    for (ValueId in : n.inputs) {
      if (in == kNoValue) {
        ins.emplace_back();
        continue;
      }
      const graph::Value& v = g.value(in);
      ins.push_back(v.is_constant() ? *v.constant : slot[static_cast<size_t>(in)]);
    }
    std::vector<Tensor> outs = evaluate_node(n, ins, ctx);
    for (size_t k = 0; k < n.outputs.size() && k < outs.size(); ++k)
      if (n.outputs[k] != kNoValue) slot[static_cast<size_t>(n.outputs[k])] = std::move(outs[k]);
    for (ValueId in : n.inputs)  // free what no later node reads
      if (in != kNoValue && p.last_use[static_cast<size_t>(in)] == static_cast<int>(i)) slot[static_cast<size_t>(in)] = Tensor();
  }
  std::vector<Tensor> result;
  for (ValueId o : g.outputs()) {
    const graph::Value& v = g.value(o);
    result.push_back(v.is_constant() ? *v.constant : slot[static_cast<size_t>(o)]);
  }
  return result;
}

std::vector<Tensor> Executor::run(const std::map<std::string, Tensor>& inputs) {
  std::vector<Tensor> ordered;
  auto names = input_names();
  for (const auto& n : names) {
    auto it = inputs.find(n);
    if (it == inputs.end()) throw InvalidError(graph_.name(), "input '" + n + "' is not given");
    ordered.push_back(it->second);
  }
  for (const auto& [k, v] : inputs)
    if (std::find(names.begin(), names.end(), k) == names.end())
      throw InvalidError(graph_.name(), "model has no input named '" + k + "'");
  return run(ordered);
}

}  // namespace coda::exec
