// Vectorised float transcendental functions for the element-wise kernels: exp (Cephes-style range
// reduction and polynomial, ~1 ulp), erf and tanh (Eigen's rational approximations, a few ulp),
// sigmoid and both GELUs. Written as plain loops, compiled for generic x86-64, AVX2 and AVX-512
// with floating-point contraction off, so every instruction set gives the same bits.
//
//   vexp(x, y, n);   // y[i] = exp(x[i]) for i < n; x == y is allowed
#pragma once
#include <cstdint>

namespace coda::exec::kern {

void vexp(const float* x, float* y, int64_t n);
void verf(const float* x, float* y, int64_t n);
void vtanh(const float* x, float* y, int64_t n);
void vsigmoid(const float* x, float* y, int64_t n);
void vgelu(const float* x, float* y, int64_t n);       // 0.5 x (1 + erf(x / sqrt 2))
void vgelu_tanh(const float* x, float* y, int64_t n);  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))

// The per-instruction-set implementations behind the functions above (tests compare them).
struct VecMath {
  void (*exp)(const float*, float*, int64_t);
  void (*erf)(const float*, float*, int64_t);
  void (*tanh)(const float*, float*, int64_t);
  void (*sigmoid)(const float*, float*, int64_t);
  void (*gelu)(const float*, float*, int64_t);
  void (*gelu_tanh)(const float*, float*, int64_t);
};
namespace vecmath_generic { extern const VecMath table; }
namespace vecmath_avx2 { extern const VecMath table; }
namespace vecmath_avx512 { extern const VecMath table; }

}  // namespace coda::exec::kern
