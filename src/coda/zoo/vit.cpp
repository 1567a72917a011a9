// "vit": the Fashion-MNIST fixture ViT (models/train_fixtures.py, class ViT): 7x7 patch embedding to
// 16 tokens of width 64, learned positions, 4 pre-LN layers (4 heads of 16, FFN 128, GELU), final
// LayerNorm, mean over tokens, Gemm 64 -> 10.
#include "coda/zoo/builder.h"
#include "coda/zoo/models.h"
#include "coda/zoo/transformer.h"

namespace coda::zoo {

graph::Graph build_vit(const Params& p) {
  ModelBuilder b("vit", p.seed());
  ValueId x = b.input("input", DType::f32, {p.batch(), 1, 28, 28});
  x = b.conv(x, "patch", 64, 7, 7, 0, 1, true, 1.0f);          // [N,64,4,4]
  x = b.transpose(b.reshape(x, {0, 0, -1}), {0, 2, 1});       // [N,16,64]
  x = b.add(x, b.uniform_std("pos", {1, 16, 64}, 0.02f));
  TransformerLayerConfig cfg;
  cfg.heads = 4;
  cfg.ffn = 128;
  for (int i = 0; i < 4; ++i) {
    auto s = b.scope("layers." + std::to_string(i));
    x = transformer_layer(b, x, cfg).out;
  }
  x = b.reduce_mean(b.layer_norm(x, "ln", 1e-5f), {1}, false);  // [N,64]
  b.name_next_output("output");
  return b.finish({b.gemm(x, "head", 10)});
}

}  // namespace coda::zoo
