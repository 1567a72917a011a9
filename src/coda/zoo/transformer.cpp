#include "coda/zoo/transformer.h"

#include <cmath>

namespace coda::zoo {

namespace {

// [b, s, heads*dh] -> [b, s, heads, dh]
ValueId split_heads(ModelBuilder& b, ValueId x, int64_t heads) {
  return b.reshape(x, {0, 0, heads, b.dim(x, -1) / heads});
}

// Allowed (query i, key j) pairs when `tokens` queries follow `total - tokens` cached keys.
ValueId causal_mask(ModelBuilder& b, int64_t tokens, int64_t total) {
  Tensor m(DType::boolean, {tokens, total});
  bool* p = m.data<bool>();
  for (int64_t i = 0; i < tokens; ++i)
    for (int64_t j = 0; j < total; ++j) p[i * total + j] = j <= i + (total - tokens);
  return b.constant("causal_mask", m);
}

ValueId feed_forward(ModelBuilder& b, ValueId x, int64_t ffn) {
  int64_t hidden = b.dim(x, -1);
  return b.linear(b.gelu(b.linear(x, "fc1", ffn)), "fc2", hidden);
}

}  // namespace

TransformerDims transformer_dims(const Params& p) {
  TransformerDims d;
  d.layers = p.get_int("layers", 1, 1000);
  d.hidden = p.get_int("hidden", 1, 1 << 16);
  d.heads = p.get_int("heads", 1, 1024);
  d.ffn = p.get_int("ffn", 1, 1 << 18);
  if (d.hidden % d.heads != 0)
    throw InvalidError(p.where(), format("hidden=%lld is not a multiple of heads=%lld", static_cast<long long>(d.hidden),
                                         static_cast<long long>(d.heads)));
  return d;
}

TransformerLayerOutput self_attention(ModelBuilder& b, ValueId x, const TransformerLayerConfig& cfg, KvCache cache) {
  auto scope = b.scope("attn");
  int64_t hidden = b.dim(x, -1);
  CODA_CHECK(hidden % cfg.heads == 0, "hidden %lld is not a multiple of %lld heads", static_cast<long long>(hidden),
             static_cast<long long>(cfg.heads));
  int64_t dh = hidden / cfg.heads;
  // The op order torch exports: q reshaped and transposed, k reshaped, v reshaped and transposed, then
  // k transposed straight to [b, h, dh, s] (or, with a cache, to [b, h, s, dh] first).
  ValueId q = b.transpose(split_heads(b, b.linear(x, "q", hidden), cfg.heads), {0, 2, 1, 3});
  ValueId k = split_heads(b, b.linear(x, "k", hidden), cfg.heads);
  ValueId v = b.transpose(split_heads(b, b.linear(x, "v", hidden), cfg.heads), {0, 2, 1, 3});
  ValueId key = graph::kNoValue, k_t;
  if (cfg.kv_outputs) {
    key = b.transpose(k, {0, 2, 1, 3});
    if (cache.key != graph::kNoValue) {
      key = b.concat({cache.key, key}, 2);
      v = b.concat({cache.value, v}, 2);
    }
    k_t = b.transpose(key, {0, 1, 3, 2});
  } else {
    CODA_CHECK(cache.key == graph::kNoValue, "a KV cache needs kv_outputs");
    k_t = b.transpose(k, {0, 2, 3, 1});
  }
  ValueId scores = b.div(b.matmul(q, k_t), b.scalar(std::sqrt(static_cast<float>(dh))));
  int64_t tokens = b.dim(q, 2), total = b.dim(k_t, 3);
  if (cfg.causal && tokens > 1) scores = b.where(causal_mask(b, tokens, total), scores, b.scalar(-1e9f));
  ValueId o = b.matmul(b.softmax(scores, -1), v);
  o = b.reshape(b.transpose(o, {0, 2, 1, 3}), {0, 0, hidden});
  return {b.linear(o, "out", hidden), key, cfg.kv_outputs ? v : graph::kNoValue};
}

TransformerLayerOutput transformer_layer(ModelBuilder& b, ValueId x, const TransformerLayerConfig& cfg,
                                         KvCache cache) {
  TransformerLayerOutput r;
  if (cfg.pre_ln) {
    r = self_attention(b, b.layer_norm(x, "ln1", cfg.ln_epsilon), cfg, cache);
    x = b.add(x, r.out);
    ValueId f = feed_forward(b, b.layer_norm(x, "ln2", cfg.ln_epsilon), cfg.ffn);
    if (!cfg.out_name.empty()) b.name_next_output(cfg.out_name);
    r.out = b.add(x, f);
  } else {
    r = self_attention(b, x, cfg, cache);
    x = b.layer_norm(b.add(x, r.out), "ln1", cfg.ln_epsilon);
    ValueId sum = b.add(x, feed_forward(b, x, cfg.ffn));
    if (!cfg.out_name.empty()) b.name_next_output(cfg.out_name);
    r.out = b.layer_norm(sum, "ln2", cfg.ln_epsilon);
  }
  return r;
}

}  // namespace coda::zoo
