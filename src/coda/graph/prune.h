// Structured channel pruning between two weighted layers (CATransformers' FFN / hidden-block pruning,
// width multipliers of CNNs), as a graph rewrite.
//
// A prunable group is a producer (Conv, Gemm or MatMul with a constant weight) whose output channels
// (axis 1 for Conv, the last axis otherwise) flow only through channel-preserving nodes (element-wise
// ops with scalar or per-channel constants, activations, pooling, BatchNormalization) into consumers
// that reduce over them (Conv / Gemm / MatMul with constant weights, as their input 0). Nothing else
// may read the region: a residual Add, a Reshape, a graph output or a second activation stops it. In a
// transformer this finds the FFN (MatMul -> +b -> GELU -> MatMul); in an MLP every hidden layer; in a
// CNN the conv -> ReLU -> pool -> conv pairs.
//
// Pruning keeps, in every group, the k most important channels (k = ceil(C * keep)), ranked by
// ||producer weights of c||_2 * ||consumer weights of c||_2 (a magnitude criterion, coda's choice;
// CATransformers ranks by model-specific importance and fine-tunes afterwards, coda does not
// fine-tune), in their original order.
//
//   std::vector<PrunableGroup> gs = prunable_groups(g);     // e.g. 4 FFNs of the vit fixture
//   Graph small = prune_channels(g, 0.5);                   // half of every group's channels
//   Graph shallow = drop_layers(g, 2);                       // 2 of the vit fixture's 4 encoder layers
#pragma once
#include <array>
#include <string>
#include <vector>

#include "coda/graph/graph.h"

namespace coda::graph {

struct PrunableGroup {
  std::string producer;                // node name
  std::vector<std::string> consumers;  // node names
  std::vector<std::string> region;     // channel-preserving nodes between them
  int64_t channels = 0;
};

std::vector<PrunableGroup> prunable_groups(const Graph& g);

// keep in (0, 1]; InvalidError outside. The result is shape-inferred; with keep = 1 it equals g.
Graph prune_channels(const Graph& g, double keep);

// Attention heads (CATransformers' head pruning). An attention block is found from its Softmax: the
// scores come from MatMul(Q, K^T) (through Div / Mul / Where / Add with constants), the Softmax feeds
// MatMul(., V), and Q, K and V are each a projection (MatMul or Gemm with a constant weight, optionally
// + a constant bias) reshaped to [.., s, heads, dh] and transposed; the context is transposed back,
// reshaped to [.., s, heads*dh] and read by one output projection with a constant weight. The zoo's
// transformers and torch's exports have this form. Each value on the way has that one reader.
struct AttentionBlock {
  std::string softmax;
  std::array<std::string, 3> projections;  // q, k, v node names
  std::string output;                      // the output projection
  int64_t heads = 0, head_dim = 0;
};
std::vector<AttentionBlock> attention_blocks(const Graph& g);

// Keeps k = ceil(heads * keep) heads in every attention block, ranked by the product of the L2 norms
// of the head's slices of Wq, Wk, Wv (columns) and Wo (rows) (a magnitude criterion, coda's choice:
// CATransformers ranks heads by importance and fine-tunes, coda does not fine-tune); the projections,
// their biases and the Reshape targets shrink accordingly. The result equals g with the dropped heads'
// rows of Wo set to zero. keep in (0, 1], InvalidError outside; with keep = 1 it equals g.
Graph prune_heads(const Graph& g, double keep);

// Residual layers of a pre-norm transformer: each layer is two residual Adds (x + attention(x), then
// h + FFN(h)), an Add being residual when one input is an ancestor of the other (the skip). Returns the
// layers' Add node names in order, two per layer; empty when the graph has none (or an odd count).
std::vector<std::array<std::string, 2>> residual_layers(const Graph& g);

// Keeps `layers` of the residual layers, dropping from index 1 upward as CATransformers does for BERT
// (layer 0 and the last layers - 1 stay): each dropped layer's Adds are bypassed (their consumers read
// the skip input), and so is a LayerNormalization that is an Add's only consumer (post-norm, as
// BERT), so the layer computes the identity. InvalidError for layers outside [1, count].
Graph drop_layers(const Graph& g, int64_t layers);

}  // namespace coda::graph
