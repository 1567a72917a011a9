// "gcn": the digits-graph fixture GCN (models/train_fixtures.py, class GCN):
// out = A @ (Relu(A @ (X @ W1) + b1) @ W2) + b2 with a dense adjacency A. Weights are Xavier-uniform.
#include <cmath>

#include "coda/zoo/builder.h"
#include "coda/zoo/models.h"

namespace coda::zoo {

namespace {

// One GCN layer A @ (x @ W) + b, W [in, out] and b named `w` and `bias`; its output named `out_name`.
ValueId gcn_layer(ModelBuilder& b, ValueId x, ValueId adjacency, int64_t out, const std::string& w,
                  const std::string& bias, const std::string& out_name = "") {
  int64_t in = b.dim(x, -1);
  float xavier = std::sqrt(6.0f / static_cast<float>(in + out));
  ValueId h = b.matmul(adjacency, b.matmul(x, b.uniform(w, {in, out}, -xavier, xavier)));
  ValueId bias_value = b.uniform(bias, {out}, -0.1f, 0.1f);
  if (!out_name.empty()) b.name_next_output(out_name);
  return b.add(h, bias_value);
}

}  // namespace

graph::Graph build_gcn(const Params& p) {
  int64_t nodes = p.get_int("nodes", 1, 40000);
  ModelBuilder b("gcn", p.seed());
  ValueId x = b.input("features", DType::f32, {nodes, 64});
  ValueId a = b.input("adjacency", DType::f32, {nodes, nodes});
  ValueId h = b.relu(gcn_layer(b, x, a, 64, "w1", "b1"));
  return b.finish({gcn_layer(b, h, a, 10, "w2", "b2", "output")});
}

}  // namespace coda::zoo
