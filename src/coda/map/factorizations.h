// Internal to the mapspace: the ordered factorizations of a dimension's bound over slots (each
// level's temporal and spatial loop), each slot bounded by the constraints.
//
//   // K = 8 over two free slots: {1,8} {2,4} {4,2} {8,1}
//   std::vector<int64_t> f = detail::factorizations(8, {{}, {}});   // flat, 2 values per choice
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace coda::map::detail {

struct SlotBounds {
  int64_t exact = -1;  // -1: free; 0: takes what the other slots leave; > 0: this factor
  int64_t min = 1;
  int64_t max = 0;     // 0: unbounded
};

// Flat list, slots.size() values per factorization, in lexicographic order of the slots.
// Empty if none exists. Throws UnsupportedError past limit_values values.
std::vector<int64_t> factorizations(int64_t bound, const std::vector<SlotBounds>& slots,
                                    size_t limit_values = size_t{1} << 26);

}  // namespace coda::map::detail
