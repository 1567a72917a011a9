// zoo::ModelBuilder: adds ONNX-style nodes with fresh names, seeded weights and known output shapes.
//
// Every zoo model is written with these helpers, so each op is built (and its output shape worked
// out) in one place. Names follow torch's module paths: inside scope("layer1.0") a conv "conv1"
// becomes node "layer1.0.conv1" with initializers "layer1.0.conv1.weight" / ".bias". Output values
// carry dtype and shape, so a finished graph is already shape-inferred (tests re-infer and compare).
//
// Initialisation (uniform, seeded by name, see random_init.h): conv/gemm/linear weights have
// std = gain / sqrt(fan_in) (gain sqrt(2) for convs, He; 1 for linear layers); biases are
// U(±1/sqrt(fan_in)) as in torch; BatchNorm gamma ≈ 1, beta ≈ 0, running mean ≈ 0, running var ≈ 2
// (the variance of a He-initialised conv's output); LayerNorm gamma ≈ 1, beta ≈ 0.
//
//   ModelBuilder b("tiny", seed);
//   ValueId x = b.input("input", DType::f32, {1, 3, 32, 32});
//   { auto s = b.scope("stem"); x = b.relu(b.batch_norm(b.conv(x, "conv", 16, 3, 1, 1, 1, false), "bn")); }
//   b.name_next_output("output");
//   graph::Graph g = b.finish({b.gemm(b.flatten(b.global_avg_pool(x)), "fc", 10)});
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "coda/graph/graph.h"

namespace coda::zoo {

using graph::ValueId;

class ModelBuilder {
 public:
  ModelBuilder(std::string graph_name, uint64_t seed);

  graph::Graph& graph() { return g_; }
  Shape shape(ValueId v) const { return g_.value(v).shape; }  // a copy: adding values moves them
  int64_t dim(ValueId v, int64_t i) const;  // i < 0 counts from the end

  // Names made inside a scope get the prefix "<outer>.<name>."; the scope ends with the object.
  class Scope {
   public:
    explicit Scope(ModelBuilder& b) : b_(&b) {}
    Scope(Scope&& o) noexcept : b_(o.b_) { o.b_ = nullptr; }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope() {
      if (b_) b_->prefixes_.pop_back();
    }
   private:
    ModelBuilder* b_;
  };
  [[nodiscard]] Scope scope(const std::string& name);
  std::string scoped(const std::string& local) const;

  // Inputs and constants.
  ValueId input(const std::string& name, DType dtype, Shape shape);
  ValueId uniform(const std::string& local, Shape shape, float lo, float hi);  // seeded by its name
  ValueId uniform_std(const std::string& local, Shape shape, float std);       // zero mean, given std
  ValueId constant(const std::string& local, Tensor t);
  ValueId scalar(float v);                      // a 0-d float constant
  ValueId ints(const std::vector<int64_t>& v);  // a 1-d int64 constant (shapes, axes)

  // Layers with weights.
  ValueId conv(ValueId x, const std::string& local, int64_t cout, int64_t kernel, int64_t stride = 1,
               int64_t pad = 0, int64_t groups = 1, bool bias = true, float gain = 1.41421356f);
  // ConvTranspose, weight [cin, cout, k, k].
  ValueId conv_transpose(ValueId x, const std::string& local, int64_t cout, int64_t kernel, int64_t stride,
                         int64_t pad, bool bias = true);
  // Inference BatchNormalization; the running stats are inputs 3 and 4 (not parameters).
  ValueId batch_norm(ValueId x, const std::string& local, float gamma = 1.0f);
  // Gemm(x, W, b) with transB=1 and W [out, in] (torch's Linear on a 2-d input).
  ValueId gemm(ValueId x, const std::string& local, int64_t out, bool bias = true, float gain = 1.0f);
  // MatMul(x, W) + b over the last dim with W [in, out] (torch's Linear on an n-d input).
  ValueId linear(ValueId x, const std::string& local, int64_t out, float gain = 1.0f);
  ValueId layer_norm(ValueId x, const std::string& local, float epsilon);
  // Gemm(x, weight) with transB=1 and no bias, reusing a weight [out, in] (tied embeddings).
  ValueId gemm_tied(ValueId x, ValueId weight, const std::string& local);

  // Ops without weights.
  ValueId relu(ValueId x);
  ValueId relu6(ValueId x);  // Clip(x, 0, 6)
  ValueId leaky_relu(ValueId x, float alpha);
  ValueId sigmoid(ValueId x);
  ValueId gelu(ValueId x);  // exact GELU as torch exports it: Div, Erf, Add, Mul, Mul
  ValueId add(ValueId a, ValueId b);
  ValueId mul(ValueId a, ValueId b);
  ValueId div(ValueId a, ValueId b);
  ValueId max_pool(ValueId x, int64_t kernel, int64_t stride, int64_t pad = 0);
  ValueId global_avg_pool(ValueId x);
  ValueId flatten(ValueId x, int64_t axis = 1);
  ValueId reshape(ValueId x, const std::vector<int64_t>& target);  // ONNX rules: 0 copies, -1 infers
  ValueId transpose(ValueId x, const std::vector<int64_t>& perm);
  ValueId matmul(ValueId a, ValueId b);
  ValueId softmax(ValueId x, int64_t axis = -1);
  ValueId concat(const std::vector<ValueId>& xs, int64_t axis);
  ValueId gather(ValueId data, ValueId indices, int64_t axis = 0);
  ValueId reduce_mean(ValueId x, const std::vector<int64_t>& axes, bool keepdims);
  ValueId where(ValueId cond, ValueId a, ValueId b);
  ValueId expand(ValueId x, const std::vector<int64_t>& target);

  // The next op's output value gets this name (for graph outputs such as "output").
  void name_next_output(std::string name) { next_output_name_ = std::move(name); }

  // Marks the outputs, checks the graph (graph::verify) and hands it over.
  graph::Graph finish(const std::vector<ValueId>& outputs);

 private:
  // Adds one node named scoped(local) (made unique) with one output of the given dtype and shape.
  ValueId emit(graph::OpKind op, const std::string& local, std::vector<ValueId> inputs, DType dtype, Shape shape,
               std::map<std::string, graph::Attribute> attrs = {});
  ValueId binary(graph::OpKind op, ValueId a, ValueId b);
  ValueId unary(graph::OpKind op, ValueId x, std::map<std::string, graph::Attribute> attrs = {});
  std::string unique_node_name(const std::string& base);

  graph::Graph g_;
  uint64_t seed_;
  std::vector<std::string> prefixes_;
  std::set<std::string> node_names_;
  std::string next_output_name_;
};

}  // namespace coda::zoo
