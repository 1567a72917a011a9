// The Sobol low-discrepancy sequence in [0,1)^d, with Joe & Kuo's direction numbers.
//
// Direction numbers: S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better two-dimensional
// projections", SIAM J. Sci. Comput. 30 (2008) 2635-2654, file new-joe-kuo-6.21201; the first 1000
// dimensions are in data/dse/sobol_joe_kuo.txt (read once, from hw::data_dir(), on first use).
// Construction: Bratley & Fox (ACM TOMS 14, 1988) with Antonov & Saleev's Gray-code ordering: point
// i+1 = point i XOR v_c where c is the position of the lowest zero bit of i; 32-bit resolution, so up to
// 2^32 points. Point 0 is the origin; the 2-D sequence continues (0.5,0.5), (0.75,0.25), (0.25,0.75),
// (0.375,0.375), (0.875,0.875), ...
//
// Scrambling is off by default. With `scramble`, the direction numbers get a random linear matrix
// scramble and the points a random digital shift (Matousek 1998; the same scheme as SciPy's
// `qmc.Sobol(scramble=True)`, not the same bits), drawn from `seed` with splitmix64.
//
//   dse::SobolSequence s(2);
//   std::vector<double> u(2);
//   s.next(u);   // (0, 0)
//   s.next(u);   // (0.5, 0.5)
//   s.skip_to(5); s.next(u);   // point 5: (0.875, 0.875)
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace coda::dse {

class SobolSequence {
 public:
  static constexpr size_t kMaxDimensions = 1000;

  // dims in 1..kMaxDimensions (InvalidError otherwise); IoError / ParseError if the data file is
  // missing or malformed.
  explicit SobolSequence(size_t dims, bool scramble = false, uint64_t seed = 0);

  size_t dims() const { return dims_; }
  uint64_t index() const { return index_; }  // the index of the point next() returns

  // Writes the next point (dims() values in [0,1)) into u, which must hold dims() values.
  void next(std::vector<double>& u);
  // Jumps to point i (the next next() returns point i).
  void skip_to(uint64_t i);

 private:
  static constexpr int kBits = 32;
  size_t dims_;
  uint64_t index_ = 0;
  std::vector<uint32_t> v_;      // direction numbers, dims × kBits (v_[d*kBits + b])
  std::vector<uint32_t> x_;      // the current point's integers, before the shift
  std::vector<uint32_t> shift_;  // digital shift (0 without scrambling)
};

}  // namespace coda::dse
