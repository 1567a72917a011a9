// dram_read_stalls: USER-mode ifmap and filter reads. SCALE-Sim's read_buffer preloads its active half
// before cycle 0 and, on a miss, rotates in the next prefetch block of its fetch matrix, fetched back to
// back at `Bandwidth` words per cycle. When an operand's whole fetch stream fits the active half there
// is never a miss (exact: no stall). Otherwise coda bounds the stalls by bandwidth: the words fetched
// after the preload, over the stall-free compute time (approximate; docs/systolic.md).
#include <algorithm>

#include "coda/map/systolic_stalls.h"

namespace coda::map {

namespace {

struct Stream {
  int64_t words;   // valid entries of the operand's fetch matrix
  int64_t passes;  // how many times the fold order sweeps it
};

// Stall bound for one operand; sets `fits` when SCALE-Sim's active buffer holds all of it.
int64_t fetch_cycles(const Stream& s, int64_t sram_words, int64_t bw, bool& fits) {
  int64_t active = (sram_words + 1) / 2;
  int64_t lines = s.words / bw + 1;  // prepare_hashed_buffer's sets of `bw` entries, plus the last one
  fits = lines <= (active + bw - 1) / bw;
  if (fits) return 0;
  int64_t fetched = std::max<int64_t>(s.passes * s.words - active, 0);
  return (fetched + bw - 1) / bw;
}

}  // namespace

ReadStalls dram_read_stalls(const SystolicFolds& f, const SystolicArray& a) {
  Stream ifmap{}, filter{};
  const int64_t Sr = f.spatial_rows, Sc = f.spatial_cols, T = f.temporal;
  switch (a.dataflow) {
    case hw::SystolicDataflow::os:
      ifmap = {Sr * T, f.col_folds}, filter = {T * Sc, 1};
      break;
    case hw::SystolicDataflow::ws:
      ifmap = {T * Sr, f.col_folds}, filter = {Sr * Sc, 1};
      break;
    case hw::SystolicDataflow::is:
      ifmap = {Sr * Sc, 1}, filter = {T * Sr, f.col_folds};
      break;
  }
  bool ifmap_fits = false, filter_fits = false;
  int64_t need = std::max(fetch_cycles(ifmap, a.ifmap_sram_words, a.dram_words_per_cycle, ifmap_fits),
                          fetch_cycles(filter, a.filter_sram_words, a.dram_words_per_cycle, filter_fits));
  return {std::max<int64_t>(need - f.demand_rows(), 0), ifmap_fits && filter_fits};
}

}  // namespace coda::map
