// Counter-based randomness: splitmix64 maps a counter (seed + index) to 64 random bits, so draw i
// needs no state from the draws before it and results do not depend on thread counts.
//
//   uint64_t r = coda::splitmix64(seed + i);
#pragma once
#include <cstdint>

namespace coda {

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace coda
