// sgemm: run-time kernel choice and a thread-count-independent split of C into tiles.
#include "coda/exec/gemm.h"

#include <algorithm>

#include "coda/core/error.h"

namespace coda::exec::kern {

bool gemm_isa_supported(GemmIsa isa) {
  switch (isa) {
    case GemmIsa::generic: return true;
    case GemmIsa::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case GemmIsa::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }
  return false;
}

GemmIsa best_gemm_isa() {
  static const GemmIsa best = [] {
    if (gemm_isa_supported(GemmIsa::avx512)) return GemmIsa::avx512;
    if (gemm_isa_supported(GemmIsa::avx2)) return GemmIsa::avx2;
    return GemmIsa::generic;
  }();
  return best;
}

const char* gemm_isa_name(GemmIsa isa) {
  switch (isa) {
    case GemmIsa::generic: return "generic";
    case GemmIsa::avx2: return "avx2";
    case GemmIsa::avx512: return "avx512";
  }
  return "?";
}

namespace {

// C = beta * C without a product (k == 0).
void scale_c(const GemmArgs& g) {
  for (int64_t i = 0; i < g.m; ++i) {
    float* row = g.c + i * g.ldc;
    for (int64_t j = 0; j < g.n; ++j) row[j] = g.beta == 0.f ? 0.f : g.beta * row[j];
  }
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }

}  // namespace

void sgemm_serial(GemmIsa isa, const GemmArgs& g) {
  if (g.m <= 0 || g.n <= 0) return;
  if (g.k <= 0) return scale_c(g);
  CODA_CHECK(gemm_isa_supported(isa), "GEMM kernel %s is not supported by this CPU", gemm_isa_name(isa));
  switch (isa) {
    case GemmIsa::generic: return gemm_generic::sgemm_tile(g);
    case GemmIsa::avx2: return gemm_avx2::sgemm_tile(g);
    case GemmIsa::avx512: return gemm_avx512::sgemm_tile(g);
  }
}

void sgemm(const GemmArgs& g, ThreadPool* pool) {
  if (g.m <= 0 || g.n <= 0) return;
  GemmIsa isa = best_gemm_isa();
  // Tiles of at least ~4M multiply-adds, at most 64, rows in multiples of 16 and columns of 64.
  double macs = static_cast<double>(g.m) * static_cast<double>(g.n) * static_cast<double>(std::max<int64_t>(g.k, 1));
  int64_t want = static_cast<int64_t>(std::clamp(macs / double(1 << 22), 1.0, 64.0));
  int64_t row_blocks = std::min(want, ceil_div(g.m, 16));
  int64_t col_blocks = std::min(std::max<int64_t>(want / row_blocks, 1), ceil_div(g.n, 64));
  if (g.n > g.m) {  // prefer splitting the long side
    col_blocks = std::min(want, ceil_div(g.n, 64));
    row_blocks = std::min(std::max<int64_t>(want / col_blocks, 1), ceil_div(g.m, 16));
  }
  int64_t mb = round_up(ceil_div(g.m, row_blocks), 16), nb = round_up(ceil_div(g.n, col_blocks), 64);
  row_blocks = ceil_div(g.m, mb);
  col_blocks = ceil_div(g.n, nb);
  auto tile = [&](int64_t t) {
    int64_t i0 = (t / col_blocks) * mb, j0 = (t % col_blocks) * nb;
    GemmArgs s = g;
    s.m = std::min(mb, g.m - i0);
    s.n = std::min(nb, g.n - j0);
    s.a = g.trans_a ? g.a + i0 : g.a + i0 * g.lda;
    s.b = g.trans_b ? g.b + j0 * g.ldb : g.b + j0;
    s.c = g.c + i0 * g.ldc + j0;
    sgemm_serial(isa, s);
  };
  int64_t tiles = row_blocks * col_blocks;
  if (!pool || tiles == 1) {
    for (int64_t t = 0; t < tiles; ++t) tile(t);
    return;
  }
  pool->parallel_for(0, tiles, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) tile(t);
  });
}

}  // namespace coda::exec::kern
