// The stall models behind evaluate_systolic: SCALE-Sim's ofmap write buffer replayed event by event
// (exact) and a bandwidth bound for USER-mode ifmap/filter DRAM reads (approximate).
//
//   int64_t s = ofmap_write_stalls(folds, array, array.cols);   // CALC drains at `cols` words/cycle
//   ReadStalls r = dram_read_stalls(folds, array);              // USER mode only
#pragma once
#include <cstdint>

#include "coda/map/systolic.h"

namespace coda::map {

// Stall cycles SCALE-Sim's write_buffer adds while the array writes the ofmap: the buffer of
// ofmap_sram_words drains half its size at `drain_words_per_cycle` whenever it is more than half
// full, and the array waits only when the buffer is full while a drain is in flight. Exact for
// SCALE-Sim's double_buffered_scratchpad when the reads do not stall. Cost: O(drains x log cycles).
int64_t ofmap_write_stalls(const SystolicFolds& folds, const SystolicArray& array, int64_t drain_words_per_cycle);

struct ReadStalls {
  int64_t stall_cycles = 0;
  bool exact = true;  // true when both read operands fit their active buffer, so SCALE-Sim never stalls
};

// USER mode: each read operand's DRAM traffic beyond what its active buffer holds, at the configured
// bandwidth, against the stall-free compute time (docs/systolic.md, "USER mode").
ReadStalls dram_read_stalls(const SystolicFolds& folds, const SystolicArray& array);

}  // namespace coda::map
