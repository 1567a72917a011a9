// exec::Executor runs a Graph on concrete inputs with the reference kernels.
//
// The graph is specialised for the input shapes it is given (symbolic dims such as the batch are
// bound, constants folded) and the specialisation is cached per input-shape signature.
// Multi-threaded inside kernels; results are identical at any thread count.
//
//   graph::Graph g = onnx::import_file("cnn.onnx");
//   exec::Executor ex(g, {.threads = 2});
//   std::vector<Tensor> out = ex.run({images});          // inputs in graph-input order
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "coda/core/thread_pool.h"
#include "coda/exec/kernels.h"
#include "coda/graph/graph.h"

namespace coda::exec {

struct ExecutorOptions {
  int threads = 0;  // 0 = all hardware threads
};

class Executor {
 public:
  explicit Executor(graph::Graph g, ExecutorOptions opts = {});
  ~Executor();

  // Inputs in the order of the graph's non-constant inputs; returns the graph outputs in order.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs);
  // Inputs by name.
  std::vector<Tensor> run(const std::map<std::string, Tensor>& inputs);

  const graph::Graph& graph() const { return graph_; }
  // Names of the graph's runtime inputs (inputs that are not initializers).
  std::vector<std::string> input_names() const;
  std::vector<std::string> output_names() const;
  ThreadPool& pool() { return *pool_; }

 private:
  struct Plan;
  Plan& plan_for(const std::vector<Tensor>& inputs);

  graph::Graph graph_;
  std::unique_ptr<ThreadPool> pool_;
  std::map<std::string, std::unique_ptr<Plan>> plans_;
};

// Runs the standard preparation pipeline on an imported graph: sort, verify, infer shapes, fold
// constants (with the reference kernels), remove dead nodes, verify again.
void prepare(graph::Graph& g);

// Binds every unknown dimension of the graph's runtime inputs to `batch` (symbolic batch, sequence
// or node-count dims alike), then infers and folds again, so that every shape becomes static.
void specialize(graph::Graph& g, int64_t batch);

}  // namespace coda::exec
