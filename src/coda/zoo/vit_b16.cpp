// "vit-b16": ViT-B/16 at 224x224: Conv 16x16/16 patch embedding (196 tokens), a learned cls token and
// position embedding (197 tokens), pre-LN layers (eps 1e-6, exact GELU), final LayerNorm, and a
// Gemm head on the cls token. About 17.6 GMACs and 86.6 M parameters with the defaults.
#include "coda/zoo/builder.h"
#include "coda/zoo/models.h"
#include "coda/zoo/transformer.h"

namespace coda::zoo {

graph::Graph build_vit_b16(const Params& p) {
  TransformerDims d = transformer_dims(p);
  int64_t classes = p.get_int("classes", 1, 1 << 20), batch = p.batch();
  ModelBuilder b("vit-b16", p.seed());
  ValueId x = b.input("input", DType::f32, {batch, 3, 224, 224});
  x = b.conv(x, "patch_embed", d.hidden, 16, 16, 0, 1, true, 1.0f);  // [N,hidden,14,14]
  x = b.transpose(b.reshape(x, {0, 0, -1}), {0, 2, 1});               // [N,196,hidden]
  ValueId cls = b.expand(b.uniform_std("cls_token", {1, 1, d.hidden}, 0.02f), {batch, 1, d.hidden});
  x = b.concat({cls, x}, 1);                                            // [N,197,hidden]
  x = b.add(x, b.uniform_std("pos_embed", {1, 197, d.hidden}, 0.02f));
  TransformerLayerConfig cfg;
  cfg.heads = d.heads;
  cfg.ffn = d.ffn;
  cfg.ln_epsilon = 1e-6f;
  for (int64_t i = 0; i < d.layers; ++i) {
    auto s = b.scope("layers." + std::to_string(i));
    x = transformer_layer(b, x, cfg).out;
  }
  x = b.layer_norm(x, "ln", 1e-6f);
  x = b.gather(x, b.constant("cls_index", Tensor::scalar<int64_t>(0)), 1);  // [N,hidden]
  b.name_next_output("output");
  return b.finish({b.gemm(x, "head", classes)});
}

}  // namespace coda::zoo
