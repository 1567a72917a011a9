// The vector math loops for any x86-64 CPU; see vecmath_kernel.inc and CMakeLists.txt.
#define CODA_VECMATH_NS vecmath_generic
#include "coda/exec/vecmath_kernel.inc"
