// "decoder": the Fashion-MNIST fixture autoencoder's decoder (models/train_fixtures.py, class Decoder).
#include "coda/zoo/builder.h"
#include "coda/zoo/models.h"

namespace coda::zoo {

graph::Graph build_decoder(const Params& p) {
  ModelBuilder b("decoder", p.seed());
  ValueId x = b.gemm(b.input("latent", DType::f32, {p.batch(), 32}), "fc", 3136);
  x = b.leaky_relu(b.reshape(x, {-1, 64, 7, 7}), 0.2f);
  x = b.leaky_relu(b.conv_transpose(x, "deconv1", 32, 4, 2, 1), 0.2f);
  x = b.conv_transpose(x, "deconv2", 1, 4, 2, 1);
  b.name_next_output("output");
  return b.finish({b.sigmoid(x)});
}

}  // namespace coda::zoo
