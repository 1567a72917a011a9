// The 8-bit GEMM kernel for generic CPUs; see qgemm_kernel.inc and CMakeLists.txt.
#define CODA_QGEMM_NS qgemm_generic
#include "coda/exec/qgemm_kernel.inc"
