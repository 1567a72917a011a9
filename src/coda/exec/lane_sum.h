// Sums, maxima and squared deviations of float runs in a fixed order of eight interleaved partial
// results, which GCC vectorises without -ffast-math and which gives the same bits on every build.
//
//   double s = lane_sum(x, n);
//   double v = lane_sq_dev(x, n, s / n) / n;
#pragma once
#include <cstdint>

namespace coda::exec::kern {

inline double lane_sum(const float* x, int64_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += static_cast<double>(x[i + j]);
  for (int j = 0; i < n; ++i, ++j) acc[j] += static_cast<double>(x[i]);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// Sum of (x - mean)^2.
inline double lane_sq_dev(const float* x, int64_t n, double mean) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) {
      const double d = static_cast<double>(x[i + j]) - mean;
      acc[j] += d * d;
    }
  for (int j = 0; i < n; ++i, ++j) {
    const double d = static_cast<double>(x[i]) - mean;
    acc[j] += d * d;
  }
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// Largest element (NaN if any is NaN); -inf for n == 0.
inline float lane_max(const float* x, int64_t n) {
  float acc[8];
  for (float& a : acc) a = -__builtin_huge_valf();
  bool nan = false;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) {
      const float v = x[i + j];
      nan |= v != v;
      acc[j] = v > acc[j] ? v : acc[j];
    }
  for (int j = 0; i < n; ++i, ++j) {
    nan |= x[i] != x[i];
    acc[j] = x[i] > acc[j] ? x[i] : acc[j];
  }
  float m = acc[0];
  for (int j = 1; j < 8; ++j) m = acc[j] > m ? acc[j] : m;
  return nan ? __builtin_nanf("") : m;
}

}  // namespace coda::exec::kern
