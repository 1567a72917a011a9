// The digits k-nearest-neighbour graph: sklearn's 1797 8x8 digits as nodes of a GCN node-classification task.
//
// Built exactly as models/train_fixtures.py builds it, so the adjacency has the same bits: each node links
// to its k nearest other nodes by squared Euclidean distance over the raw integer pixels (ties to the
// lower index); A = max(A, A^T); A~ = A + I; A^ = D^-1/2 A~ D^-1/2 in double, then cast to float.
//
//   GraphDataset g = load_digits_graph();   // features f32 [1797,64], adjacency f32 [1797,1797]
//   // train on nodes i % 5 != 0, report top-1 over g.test_nodes
#pragma once
#include <string>
#include <vector>

#include "coda/core/tensor.h"

namespace coda::datasets {

struct GraphDataset {
  Tensor features;              // f32 [N,64] = pixel / 16
  Tensor adjacency;             // f32 [N,N], normalised A^ with self-loops
  std::vector<int> labels;      // N digits 0..9
  std::vector<int> test_nodes;  // nodes i with i % 5 == 0, ascending
};

// Reads `csv_gz` (rows of 64 integer pixels 0..16 then the label 0..9) and builds the k-NN graph.
// A malformed file raises ParseError naming file and line; k outside [1, N-1] raises InvalidError.
GraphDataset load_digits_graph(
    const std::string& csv_gz = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz", int k = 10);

// The k nearest other nodes of every node, nearest first (ties to the lower index), from integer rows
// of `dims` values each: result[i] has k node indices. Exposed for tests.
std::vector<std::vector<int>> nearest_neighbours(const std::vector<int>& rows, int dims, int k);

// A^ = D^-1/2 (max(A, A^T) + I) D^-1/2 as f32 [N,N] from each node's neighbour list.
Tensor normalized_adjacency(const std::vector<std::vector<int>>& neighbours);

}  // namespace coda::datasets
