// "gpt2": GPT-2 small (124 M parameters with the defaults): token + position embeddings (Gather),
// pre-LN causal layers (eps 1e-5, exact GELU in place of GPT-2's tanh approximation), final
// LayerNorm, LM head tied to the token embedding (Gemm transB=1 on the same constant).
//   mode=prefill: input_ids [batch, seq] -> logits [batch, seq, vocab], present.<i>.{key,value}
//   mode=decode:  input_ids [batch, 1] and past.<i>.{key,value} [batch, heads, seq, head_dim]
//                 -> logits [batch, 1, vocab], present.<i>.{key,value} [batch, heads, seq+1, head_dim]
#include "coda/zoo/builder.h"
#include "coda/zoo/models.h"
#include "coda/zoo/transformer.h"

namespace coda::zoo {

namespace {

constexpr int64_t kPositions = 1024;  // GPT-2's context length (rows of the position table)

}  // namespace

graph::Graph build_gpt2(const Params& p) {
  bool decode = p.get_choice("mode", {"prefill", "decode"}) == "decode";
  TransformerDims d = transformer_dims(p);
  int64_t seq = p.get_int("seq", 1, kPositions - (decode ? 1 : 0));
  int64_t vocab = p.get_int("vocab", 1, 1 << 20), batch = p.batch(), hidden = d.hidden, heads = d.heads;
  int64_t tokens = decode ? 1 : seq, past = decode ? seq : 0, head_dim = hidden / heads;
  ModelBuilder b("gpt2", p.seed());
  ValueId ids = b.input("input_ids", DType::i64, {batch, tokens});
  ValueId wte = b.uniform_std("wte", {vocab, hidden}, 0.02f);
  ValueId wpe = b.uniform_std("wpe", {kPositions, hidden}, 0.02f);
  std::vector<int64_t> positions;
  for (int64_t t = 0; t < tokens; ++t) positions.push_back(past + t);
  ValueId x = b.add(b.gather(wte, ids), b.gather(wpe, b.ints(positions)));
  TransformerLayerConfig cfg;
  cfg.heads = heads;
  cfg.ffn = d.ffn;
  cfg.causal = true;
  cfg.kv_outputs = true;
  std::vector<ValueId> presents;
  for (int64_t i = 0; i < d.layers; ++i) {
    KvCache cache;
    if (decode) {
      std::string base = "past." + std::to_string(i);
      cache.key = b.input(base + ".key", DType::f32, {batch, heads, past, head_dim});
      cache.value = b.input(base + ".value", DType::f32, {batch, heads, past, head_dim});
    }
    auto s = b.scope("layers." + std::to_string(i));
    TransformerLayerOutput r = transformer_layer(b, x, cfg, cache);
    x = r.out;
    presents.push_back(r.key);
    presents.push_back(r.value);
  }
  x = b.reshape(b.layer_norm(x, "ln_f", 1e-5f), {-1, hidden});
  x = b.gemm_tied(x, wte, "lm_head");
  b.name_next_output("logits");
  std::vector<ValueId> outputs{b.reshape(x, {batch, tokens, vocab})};
  outputs.insert(outputs.end(), presents.begin(), presents.end());
  return b.finish(outputs);
}

}  // namespace coda::zoo
