// The int32 GEMM for any x86-64 CPU (SSE2); see igemm_kernel.inc and CMakeLists.txt.
#define CODA_IGEMM_NS igemm_generic
#include "coda/exec/igemm_kernel.inc"
