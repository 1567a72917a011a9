// The 8-bit GEMM kernel for avx512vnni CPUs; see qgemm_kernel.inc and CMakeLists.txt.
#define CODA_QGEMM_NS qgemm_avx512vnni
#include "coda/exec/qgemm_kernel.inc"
