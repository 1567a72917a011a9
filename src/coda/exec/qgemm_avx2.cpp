// The 8-bit GEMM kernel for avx2 CPUs; see qgemm_kernel.inc and CMakeLists.txt.
#define CODA_QGEMM_NS qgemm_avx2
#include "coda/exec/qgemm_kernel.inc"
