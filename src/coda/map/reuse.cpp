#include "coda/map/reuse.h"

#include <algorithm>
#include <cstdlib>

#include "coda/core/error.h"

namespace coda::map::detail {

Projection project(const workload::Problem& p, int data_space) {
  const workload::Problem::DataSpace& ds = p.data_spaces[static_cast<size_t>(data_space)];
  Projection w;
  w.read_write = ds.read_write;
  for (const workload::Problem::Projection& rank : ds.projection) {
    std::vector<Projection::Term> terms;
    for (const workload::Problem::Term& t : rank) {
      int64_t c = t.coefficient >= 0 ? p.coefficients[static_cast<size_t>(t.coefficient)].value : 1;
      if (c == 0) continue;
      CODA_CHECK(c > 0 && t.dim < 64, "unsupported projection coefficient %lld or dimension %d", (long long)c, t.dim);
      auto same = std::find_if(terms.begin(), terms.end(), [&](const Projection::Term& u) { return u.dim == t.dim; });
      if (same != terms.end()) same->coef += c;
      else terms.push_back({t.dim, c});
      w.relevant |= uint64_t{1} << t.dim;
    }
    if (terms.size() >= 2) w.sliding = true;
    w.ranks.push_back(std::move(terms));
  }
  return w;
}

namespace {

int64_t rank_extent(const std::vector<Projection::Term>& rank, const int64_t* dims) {
  int64_t e = 1;
  for (const Projection::Term& t : rank) e += t.coef * (dims[t.dim] - 1);
  return e;
}

int64_t coef_of(const std::vector<Projection::Term>& rank, int dim) {
  for (const Projection::Term& t : rank)
    if (t.dim == dim) return t.coef;
  return 0;
}

// The closed-form walk of Timeloop's loop visits for a data space with a sliding window.
// State g: 0 = no slide direction remembered, 1 + 2r + s = last slide along rank r, s = 1 if down.
struct Walk {
  const TemporalLoop* loops;
  int ranks;
  int states;
  int64_t tile;
  const int64_t* extent;
  const int64_t* delta;  // [loop][rank]
  ReuseScratch* sc;

  // Words fetched by a visit of type q (loop q steps, the loops below it rewind) in state g.
  std::pair<int64_t, int> visit(int q, int g) const {
    const int64_t* d = delta + static_cast<size_t>(q) * static_cast<size_t>(ranks);
    int moved = 0, r0 = -1;
    bool whole = false;
    for (int r = 0; r < ranks; ++r)
      if (d[r] != 0) {
        ++moved;
        r0 = r;
        if (std::llabs(d[r]) >= extent[r]) whole = true;
      }
    if (moved == 0) return {0, 0};
    if (whole || moved > 1) return {tile, 0};
    int state = 1 + 2 * r0 + (d[r0] < 0 ? 1 : 0);
    if (g != 0 && g != state) return {tile, 0};  // the slide changed direction: refetch the tile
    return {tile / extent[r0] * std::llabs(d[r0]), state};
  }

  // Words fetched by all visits of loops 0..q-1 after the first, given the state after the first.
  std::pair<int64_t, int> rest(int q, int g) const {
    if (q == 0) return {0, g};
    size_t key = static_cast<size_t>(q) * static_cast<size_t>(states) + static_cast<size_t>(g);
    if (sc->memo_set[key]) return {sc->memo_sum[key], sc->memo_state[key]};
    auto [s1, g1] = rest(q - 1, g);
    auto [d, g2] = visit(q - 1, g1);
    auto [s2, g3] = rest(q - 1, g2);
    int64_t sum = s1 + (loops[q - 1].factor - 1) * (d + s2);
    sc->memo_set[key] = 1;
    sc->memo_sum[key] = sum;
    sc->memo_state[key] = g3;
    return {sum, g3};
  }
};

}  // namespace

int64_t tile_words(const Projection& w, const int64_t* dims) {
  int64_t n = 1;
  for (const auto& rank : w.ranks) n *= rank_extent(rank, dims);
  return n;
}

int64_t fill_words(const Projection& w, const int64_t* dims, const TemporalLoop* loops, int num_loops,
                   ReuseScratch& sc) {
  int ranks = static_cast<int>(w.ranks.size());
  sc.extent.resize(static_cast<size_t>(ranks));
  int64_t tile = 1;
  for (int r = 0; r < ranks; ++r) tile *= (sc.extent[static_cast<size_t>(r)] = rank_extent(w.ranks[static_cast<size_t>(r)], dims));
  if (!w.sliding) {
    // Every step of a loop over an indexing dimension, and of every loop above it, fetches a new
    // tile; loops below the innermost such loop reuse the tile.
    for (int q = 0; q < num_loops; ++q)
      if ((w.relevant >> loops[q].dim) & 1u) {
        int64_t n = tile;
        for (int k = q; k < num_loops; ++k) n *= loops[k].factor;
        return n;
      }
    return tile;
  }
  // Rank offset of each visit type: loop q steps by its scale, the loops below it rewind by theirs.
  sc.rank_delta.assign(static_cast<size_t>(num_loops) * static_cast<size_t>(ranks), 0);
  std::vector<int64_t>& delta = sc.rank_delta;
  for (int r = 0; r < ranks; ++r) {
    int64_t below = 0;
    for (int q = 0; q < num_loops; ++q) {
      int64_t step = loops[q].scale * coef_of(w.ranks[static_cast<size_t>(r)], loops[q].dim);
      delta[static_cast<size_t>(q) * static_cast<size_t>(ranks) + static_cast<size_t>(r)] = step - below;
      below += step;
    }
  }
  int states = 1 + 2 * ranks;
  size_t memo = static_cast<size_t>(num_loops + 1) * static_cast<size_t>(states);
  sc.memo_set.assign(memo, 0);
  sc.memo_sum.resize(memo);
  sc.memo_state.resize(memo);
  Walk walk{loops, ranks, states, tile, sc.extent.data(), delta.data(), &sc};
  return tile + walk.rest(num_loops, 0).first;
}

int64_t distinct_offsets(const Projection& w, const int64_t* factor, const int64_t* scale, int num_dims,
                         ReuseScratch& sc) {
  int64_t product = 1;
  uint64_t active = 0;
  for (int d = 0; d < num_dims; ++d)
    if (factor[d] > 1 && ((w.relevant >> d) & 1u)) {
      product *= factor[d];
      active |= uint64_t{1} << d;
    }
  if (!active || !w.sliding) return product;
  // Only a rank that sums two spatially unrolled dimensions can map two children to one offset.
  bool collide = false;
  for (const auto& rank : w.ranks) {
    int n = 0;
    for (const Projection::Term& t : rank) n += (active >> t.dim) & 1u;
    collide |= n >= 2;
  }
  if (!collide) return product;
  // Enumerate the children and count distinct offset vectors (the fan-out is small).
  std::vector<int> dims;
  for (int d = 0; d < num_dims; ++d)
    if ((active >> d) & 1u) dims.push_back(d);
  std::vector<int64_t> stride(w.ranks.size(), 0);
  __int128 radix = 1;
  for (size_t r = 0; r < w.ranks.size(); ++r) {
    int64_t range = 1;
    for (const Projection::Term& t : w.ranks[r])
      if ((active >> t.dim) & 1u) range += t.coef * (factor[t.dim] - 1) * scale[t.dim];
    stride[r] = static_cast<int64_t>(radix);
    radix *= range;
  }
  CODA_CHECK(radix < (static_cast<__int128>(1) << 62), "spatial offset space too large to enumerate");
  sc.keys.clear();
  std::vector<int64_t> idx(dims.size(), 0);
  for (int64_t n = 0; n < product; ++n) {
    int64_t key = 0;
    for (size_t r = 0; r < w.ranks.size(); ++r) {
      int64_t off = 0;
      for (const Projection::Term& t : w.ranks[r])
        for (size_t k = 0; k < dims.size(); ++k)
          if (dims[k] == t.dim) off += t.coef * idx[k] * scale[t.dim];
      key += off * stride[r];
    }
    sc.keys.push_back(key);
    for (size_t k = 0; k < dims.size(); ++k) {  // next child
      if (++idx[k] < factor[dims[k]]) break;
      idx[k] = 0;
    }
  }
  std::sort(sc.keys.begin(), sc.keys.end());
  return std::unique(sc.keys.begin(), sc.keys.end()) - sc.keys.begin();
}

}  // namespace coda::map::detail
