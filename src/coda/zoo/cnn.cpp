// "cnn": the Fashion-MNIST fixture CNN (models/train_fixtures.py, class CNN).
#include "coda/zoo/builder.h"
#include "coda/zoo/models.h"

namespace coda::zoo {

graph::Graph build_cnn(const Params& p) {
  ModelBuilder b("cnn", p.seed());
  ValueId x = b.input("input", DType::f32, {p.batch(), 1, 28, 28});
  x = b.max_pool(b.relu(b.conv(x, "conv1", 32, 3, 1, 1)), 2, 2);
  x = b.max_pool(b.relu(b.conv(x, "conv2", 64, 3, 1, 1)), 2, 2);
  x = b.relu(b.gemm(b.flatten(x), "fc1", 128, true, 1.41421356f));
  b.name_next_output("output");
  return b.finish({b.gemm(x, "fc2", 10)});
}

}  // namespace coda::zoo
