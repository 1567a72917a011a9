// Internal to the cost model: how many words a tile pulls from its parent over a run (temporal
// reuse), and how many of a level's children need different data at one time (spatial multicast
// and reduction). docs/cost_model.md derives both; the rules are Timeloop's.
//
// Temporal: Timeloop walks the loops above a tile visiting, of each loop, iteration 0 and then
// iteration 1 standing for the other n-1; a visit fetches the part of the new tile that is not in
// the previous one. Tiles are axis-aligned boxes in data-space coordinates: a shift along one rank
// with overlap fetches only the new slice (a sliding window), a shift along two ranks or without
// overlap fetches the whole tile, and a slide against the direction of the previous slide also
// fetches the whole tile. fill_words() sums this in closed form over the loop list.
//
//   detail::Projection w = detail::project(problem, problem.data_space_index("Inputs"));
//   int64_t fills = detail::fill_words(w, tile_dims, loops, num_loops, scratch);
#pragma once
#include <cstdint>
#include <vector>

#include "coda/workload/problem.h"

namespace coda::map::detail {

// A data space's projection with coefficient values substituted.
struct Projection {
  struct Term {
    int dim;
    int64_t coef;
  };
  std::vector<std::vector<Term>> ranks;
  uint64_t relevant = 0;    // bit d: dimension d indexes this data space
  bool sliding = false;     // some rank sums two or more dimensions (a sliding window)
  bool read_write = false;
};
Projection project(const workload::Problem& p, int data_space);

// Words of the box a tile with per-dimension extents `dims` covers.
int64_t tile_words(const Projection& w, const int64_t* dims);

struct TemporalLoop {
  int dim;
  int64_t factor;  // >= 2
  int64_t scale;   // product of the factors of the loops below it on the same dimension
};

// Reused buffers so that the hot path does not allocate. Sized for the largest case on first use.
struct ReuseScratch {
  std::vector<int64_t> extent, rank_delta, memo_sum, keys;
  std::vector<int32_t> memo_state;
  std::vector<uint8_t> memo_set;
};

// Words fetched into one instance of a tile with extents `dims` while the temporal loops above it
// (innermost first) run, including the first fetch.
int64_t fill_words(const Projection& w, const int64_t* dims, const TemporalLoop* loops, int num_loops,
                   ReuseScratch& scratch);

// Children of one spatial level that need different data: the number of distinct data-space
// offsets among the instances its spatial loops create (factor[d] instances along d, each step
// `scale[d]` apart). Children with equal offsets share one read (multicast) or one update
// (spatial reduction).
int64_t distinct_offsets(const Projection& w, const int64_t* factor, const int64_t* scale, int num_dims,
                         ReuseScratch& scratch);

}  // namespace coda::map::detail
