// "mlp": the Fashion-MNIST fixture MLP (models/train_fixtures.py, class MLP).
#include "coda/zoo/builder.h"
#include "coda/zoo/models.h"

namespace coda::zoo {

graph::Graph build_mlp(const Params& p) {
  ModelBuilder b("mlp", p.seed());
  ValueId x = b.flatten(b.input("input", DType::f32, {p.batch(), 1, 28, 28}));
  x = b.relu(b.gemm(x, "fc1", 256, true, 1.41421356f));
  x = b.relu(b.gemm(x, "fc2", 256, true, 1.41421356f));
  b.name_next_output("output");
  return b.finish({b.gemm(x, "fc3", 10)});
}

}  // namespace coda::zoo
