// Transformer blocks for the zoo (BERT, ViT, GPT-2, the fixture ViT), written with ModelBuilder.
//
// Attention is spelled as torch exports it at opset 17: q/k/v/out projections as MatMul + Add,
// Reshape + Transpose into heads, MatMul(q, kᵀ) / sqrt(head_dim), Softmax, MatMul with v, Transpose +
// Reshape back. A causal mask is Where(mask, scores, -1e9) with a bool constant, so the mask is not
// counted as a parameter. Names inside the block's scope: attn.{q,k,v,out}, ln1, ln2, fc1, fc2.
//
//   TransformerLayerConfig cfg;
//   cfg.heads = 12, cfg.ffn = 3072, cfg.ln_epsilon = 1e-6f;
//   for (int i = 0; i < 12; ++i) {
//     auto s = b.scope("layers." + std::to_string(i));
//     x = transformer_layer(b, x, cfg).out;
//   }
#pragma once
#include <string>

#include "coda/zoo/builder.h"
#include "coda/zoo/params.h"

namespace coda::zoo {

struct TransformerLayerConfig {
  int64_t heads = 1;
  int64_t ffn = 0;         // width of the feed-forward hidden layer
  bool pre_ln = true;      // LayerNorm before each sub-block (ViT, GPT-2) or after its residual add (BERT)
  float ln_epsilon = 1e-5f;
  bool causal = false;     // each token attends only to itself and earlier tokens
  bool kv_outputs = false;  // return every token's keys and values (GPT-style cache); needed with a KvCache
  std::string out_name;    // name of the layer's output value ("" = generated)
};

// Keys and values of earlier tokens, [batch, heads, past, head_dim] each (GPT-style decoding).
struct KvCache {
  ValueId key = graph::kNoValue;
  ValueId value = graph::kNoValue;
};

struct TransformerLayerOutput {
  ValueId out;           // [batch, tokens, hidden]
  ValueId key, value;    // with kv_outputs: every token's keys and values (cache included),
                         // [batch, heads, total, head_dim]; kNoValue otherwise
};

// The sizes every transformer model takes as parameters.
struct TransformerDims {
  int64_t layers = 0, hidden = 0, heads = 0, ffn = 0;
};
// Reads `layers`, `hidden`, `heads` and `ffn`; InvalidError if hidden is not a multiple of heads.
TransformerDims transformer_dims(const Params& p);

// Multi-head self-attention of x [batch, tokens, hidden], including the output projection.
TransformerLayerOutput self_attention(ModelBuilder& b, ValueId x, const TransformerLayerConfig& cfg,
                                      KvCache cache = {});

// One encoder/decoder layer: attention and a GELU feed-forward block, each with a residual add.
TransformerLayerOutput transformer_layer(ModelBuilder& b, ValueId x, const TransformerLayerConfig& cfg,
                                         KvCache cache = {});

}  // namespace coda::zoo
