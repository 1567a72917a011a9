// The GEMM kernel for AVX2 + FMA CPUs; CMakeLists.txt compiles this file with -mavx2 -mfma.
#define Eigen coda_eigen_avx2
#define CODA_GEMM_NS gemm_avx2
#define CODA_GEMM_VEC_BYTES 32
#include "coda/exec/gemm_kernel.inc"
