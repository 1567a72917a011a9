// The GEMM kernel for AVX-512 CPUs; CMakeLists.txt compiles this file with -mavx512f and friends.
#define Eigen coda_eigen_avx512
#define CODA_GEMM_NS gemm_avx512
#define CODA_GEMM_VEC_BYTES 64
#include "coda/exec/gemm_kernel.inc"
