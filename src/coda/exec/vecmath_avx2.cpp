// The vector math loops for avx2 CPUs; see vecmath_kernel.inc and CMakeLists.txt.
#define CODA_VECMATH_NS vecmath_avx2
#include "coda/exec/vecmath_kernel.inc"
