// The int32 GEMM for avx512 CPUs; see igemm_kernel.inc and CMakeLists.txt.
#define CODA_IGEMM_NS igemm_avx512
#include "coda/exec/igemm_kernel.inc"
