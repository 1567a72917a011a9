// The vector math loops for avx512 CPUs; see vecmath_kernel.inc and CMakeLists.txt.
#define CODA_VECMATH_NS vecmath_avx512
#include "coda/exec/vecmath_kernel.inc"
