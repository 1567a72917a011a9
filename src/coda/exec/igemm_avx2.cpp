// The int32 GEMM for avx2 CPUs; see igemm_kernel.inc and CMakeLists.txt.
#define CODA_IGEMM_NS igemm_avx2
#include "coda/exec/igemm_kernel.inc"
