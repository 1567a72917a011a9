// "bert-base": BERT-base's encoder stack on already-embedded hidden states [batch, seq, hidden]:
// post-LN layers (LayerNorm eps 1e-12), 12 heads, FFN 3072 with exact GELU; output "output" of the
// same shape. The embedding tables and the pooler are left out (they add no matrix MACs per token).
#include "coda/zoo/builder.h"
#include "coda/zoo/models.h"
#include "coda/zoo/transformer.h"

namespace coda::zoo {

graph::Graph build_bert_base(const Params& p) {
  TransformerDims d = transformer_dims(p);
  int64_t seq = p.get_int("seq", 1, 1 << 16);
  ModelBuilder b("bert-base", p.seed());
  ValueId x = b.input("hidden_states", DType::f32, {p.batch(), seq, d.hidden});
  TransformerLayerConfig cfg;
  cfg.heads = d.heads;
  cfg.ffn = d.ffn;
  cfg.pre_ln = false;
  cfg.ln_epsilon = 1e-12f;
  for (int64_t i = 0; i < d.layers; ++i) {
    auto s = b.scope("layers." + std::to_string(i));
    cfg.out_name = i + 1 == d.layers ? "output" : "";
    x = transformer_layer(b, x, cfg).out;
  }
  return b.finish({x});
}

}  // namespace coda::zoo
