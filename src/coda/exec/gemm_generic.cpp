// The GEMM kernel for any x86-64 CPU (SSE2), compiled with the default flags.
#define Eigen coda_eigen_generic
#define CODA_GEMM_NS gemm_generic
#define CODA_GEMM_VEC_BYTES 16
#include "coda/exec/gemm_kernel.inc"
