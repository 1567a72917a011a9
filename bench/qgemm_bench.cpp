// qgemm_bench: 8-bit GEMM throughput, u8 x s8 -> s32 at 1024^3 (or --size N), of coda's kernels
// (every ISA path this CPU runs) beside oneDNN's matmul in the same process. oneDNN is restricted to
// AVX-512 VNNI (no AMX) for the same-ISA ratio; its default ISA (AMX where present) is measured in a
// child process, since oneDNN takes the ISA limit only once per process. Checks that coda's output
// equals oneDNN's bit for bit on VNNI (oneDNN is exact only with VNNI / AMX) and equals a naive
// reference. Then W8A8 layers through the executor: QLinearConv / QLinearMatMul beside the fp32
// Conv / MatMul of the same shape.
//
//   build/release/bench/qgemm_bench [--size N] [--reps R]
#include <omp.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dnnl.hpp>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "coda/exec/kernels.h"
#include "coda/exec/qgemm.h"

using namespace coda;
using Clock = std::chrono::steady_clock;
namespace qg = coda::exec::qgemm;

namespace {

// Best wall time of `reps` runs (after one warm-up when reps > 1).
double best_seconds(int reps, const std::function<void()>& f) {
  if (reps > 1) f();
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return best;
}

struct Onednn {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{eng};
  dnnl::memory a, b, c;
  dnnl::matmul mm;
  std::string impl;
  Onednn(int64_t m, int64_t n, int64_t k, const uint8_t* pa, const int8_t* pb) {
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    dnnl::memory::desc ad({m, k}, dt::u8, tag::ab), bd({k, n}, dt::s8, tag::ab), cd({m, n}, dt::s32, tag::ab);
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(ad, bd, cd), eng);
    impl = pd.impl_info_str();
    mm = dnnl::matmul(pd);
    a = dnnl::memory(ad, eng);
    b = dnnl::memory(bd, eng);
    c = dnnl::memory(cd, eng);
    std::memcpy(a.get_data_handle(), pa, static_cast<size_t>(m * k));
    std::memcpy(b.get_data_handle(), pb, static_cast<size_t>(k * n));
  }
  void run() {
    mm.execute(stream, {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}});
    stream.wait();
  }
  const int32_t* out() { return static_cast<const int32_t*>(c.get_data_handle()); }
};

void fill(std::vector<uint8_t>& a, std::vector<int8_t>& b) {
  std::mt19937 rng(1);
  for (auto& v : a) v = static_cast<uint8_t>(rng());
  for (auto& v : b) v = static_cast<int8_t>(rng());
}

// --onednn-default: oneDNN at its default ISA, one thread; prints "GOPS IMPL".
int onednn_default_child(int64_t s, int reps) {
  omp_set_num_threads(1);
  std::vector<uint8_t> a(s * s);
  std::vector<int8_t> b(s * s);
  fill(a, b);
  Onednn d(s, s, s, a.data(), b.data());
  const double t = best_seconds(reps, [&] { d.run(); });
  std::printf("%.1f %s\n", 2.0 * s * s * s / t * 1e-9, d.impl.c_str());
  return 0;
}

graph::Node node(graph::OpKind op, std::map<std::string, graph::Attribute> attrs) {
  graph::Node n;
  n.op = op;
  n.name = "bench";
  n.attrs = std::move(attrs);
  n.outputs.push_back(0);
  return n;
}
template <class T> Tensor random_tensor(Shape s, uint32_t seed, int lo, int hi) {
  Tensor t(dtype_of<T>(), std::move(s));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<T>()[i] = static_cast<T>(d(rng));
  return t;
}
Tensor dequant(const Tensor& q, float scale, int zp) {
  Tensor t(DType::f32, q.shape());
  for (int64_t i = 0; i < q.numel(); ++i) t.data<float>()[i] = static_cast<float>(q.get_f64(i) - zp) * scale;
  return t;
}

// W8A8 layers through the executor, 1 thread: the int8 op beside fp32 on the same shape.
void layer_section(int reps) {
  std::printf("\nW8A8 layers through the executor (1 thread, best of %d): int8 op vs fp32 op, same shape\n", reps);
  std::printf("%-44s %10s %10s %10s %10s %8s\n", "layer", "int8_ms", "int8_GOPS", "fp32_ms", "fp32_GOPS", "speedup");
  exec::KernelContext ctx{nullptr};
  struct Conv {
    int64_t cin, cout, hw, ks, group;
  };
  for (Conv c : {Conv{64, 64, 56, 3, 1}, Conv{256, 64, 56, 1, 1}, Conv{128, 128, 28, 3, 1}, Conv{64, 64, 56, 3, 64}}) {
    const int64_t p = c.ks / 2;
    std::map<std::string, graph::Attribute> attrs{{"pads", std::vector<int64_t>{p, p, p, p}}, {"group", c.group}};
    Tensor x = random_tensor<uint8_t>({1, c.cin, c.hw, c.hw}, 1, 0, 255);
    Tensor w = random_tensor<int8_t>({c.cout, c.cin / c.group, c.ks, c.ks}, 2, -128, 127);
    std::vector<Tensor> qin{x, Tensor::scalar<float>(0.02f), Tensor::scalar<uint8_t>(120), w, Tensor::scalar<float>(0.01f),
                            Tensor::scalar<int8_t>(0), Tensor::scalar<float>(0.5f), Tensor::scalar<uint8_t>(128)};
    std::vector<Tensor> fin{dequant(x, 0.02f, 120), dequant(w, 0.01f, 0)};
    graph::Node qn = node(graph::OpKind::QLinearConv, attrs), fn = node(graph::OpKind::Conv, attrs);
    const double tq = best_seconds(reps, [&] { exec::evaluate_node(qn, qin, ctx); });
    const double tf = best_seconds(reps, [&] { exec::evaluate_node(fn, fin, ctx); });
    const double ops = 2.0 * c.cout * (c.cin / c.group) * c.ks * c.ks * c.hw * c.hw;
    char name[96];
    std::snprintf(name, sizeof name, "QLinearConv %ldx%ldx%ld k%ld g%ld -> %ld", (long)c.cin, (long)c.hw, (long)c.hw,
                  (long)c.ks, (long)c.group, (long)c.cout);
    std::printf("%-44s %10.3f %10.1f %10.3f %10.1f %8.2f\n", name, tq * 1e3, ops / tq * 1e-9, tf * 1e3, ops / tf * 1e-9, tf / tq);
  }
  struct Mm {
    int64_t m, k, n;
  };
  for (Mm c : {Mm{128, 768, 768}, Mm{128, 768, 3072}}) {
    Tensor a = random_tensor<uint8_t>({c.m, c.k}, 3, 0, 255), b = random_tensor<int8_t>({c.k, c.n}, 4, -128, 127);
    std::vector<Tensor> qin{a, Tensor::scalar<float>(0.02f), Tensor::scalar<uint8_t>(120), b, Tensor::scalar<float>(0.01f),
                            Tensor::scalar<int8_t>(0), Tensor::scalar<float>(0.5f), Tensor::scalar<uint8_t>(128)};
    std::vector<Tensor> fin{dequant(a, 0.02f, 120), dequant(b, 0.01f, 0)};
    graph::Node qn = node(graph::OpKind::QLinearMatMul, {}), fn = node(graph::OpKind::MatMul, {});
    const double tq = best_seconds(reps, [&] { exec::evaluate_node(qn, qin, ctx); });
    const double tf = best_seconds(reps, [&] { exec::evaluate_node(fn, fin, ctx); });
    const double ops = 2.0 * c.m * c.k * c.n;
    char name[96];
    std::snprintf(name, sizeof name, "QLinearMatMul %ldx%ld * %ldx%ld", (long)c.m, (long)c.k, (long)c.k, (long)c.n);
    std::printf("%-44s %10.3f %10.1f %10.3f %10.1f %8.2f\n", name, tq * 1e3, ops / tq * 1e-9, tf * 1e3, ops / tf * 1e-9, tf / tq);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int64_t s = 1024;
  int reps = 7;
  bool child = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--size") && i + 1 < argc) s = std::atoll(argv[++i]);
    else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--onednn-default")) child = true;
  }
  if (child) return onednn_default_child(s, reps);
  dnnl::set_max_cpu_isa(dnnl::cpu_isa::avx512_core_vnni);  // before any primitive
  const double ops = 2.0 * s * s * s;
  std::vector<uint8_t> a(s * s);
  std::vector<int8_t> b(s * s);
  fill(a, b);

  // Naive reference (int32 wrapping sums, the definition).
  std::vector<int32_t> ref(s * s, 0);
  for (int64_t i = 0; i < s; ++i)
    for (int64_t p = 0; p < s; ++p) {
      const uint32_t av = a[i * s + p];
      uint32_t* row = reinterpret_cast<uint32_t*>(ref.data() + i * s);
      const int8_t* brow = b.data() + p * s;
      for (int64_t j = 0; j < s; ++j) row[j] += av * static_cast<uint32_t>(static_cast<int32_t>(brow[j]));
    }

  std::printf("u8 x s8 -> s32 GEMM %ldx%ldx%ld, best of %d (machine: %d hardware threads)\n", (long)s, (long)s, (long)s,
              reps, hardware_threads());
  std::printf("%-44s %8s %10s %10s %s\n", "kernel", "threads", "GOPS", "ms", "bits");
  bool all_exact = true;
  double coda_vnni_1t = 0, coda_best_1t = 0;
  std::vector<int32_t> c(s * s);
  ThreadPool pool2(2);
  for (qg::Isa isa : {qg::Isa::Scalar, qg::Isa::Avx2, qg::Isa::Avx512Vnni}) {
    if (!qg::isa_supported(isa)) {
      std::printf("coda %-39s %8s %10s %10s not supported by this CPU\n", qg::isa_name(isa), "-", "-", "-");
      continue;
    }
    const int r = isa == qg::Isa::Scalar ? 1 : reps;
    const qg::PackedB pb = qg::pack_b(isa, s, s, b.data(), s);
    for (int threads : {1, 2}) {
      if (isa == qg::Isa::Scalar && threads == 2) continue;
      ThreadPool* pool = threads == 2 ? &pool2 : nullptr;
      std::fill(c.begin(), c.end(), 0);
      const double t = best_seconds(r, [&] { qg::gemm_u8s8s32_packed(s, a.data(), s, pb, c.data(), s, pool); });
      const bool exact = c == ref;
      all_exact &= exact;
      std::printf("coda %-39s %8d %10.1f %10.2f %s\n", (std::string(qg::isa_name(isa)) + " (B packed)").c_str(), threads,
                  ops / t * 1e-9, t * 1e3, exact ? "= reference" : "DIFFERS from reference");
      if (threads == 1) {
        coda_best_1t = std::max(coda_best_1t, ops / t * 1e-9);
        if (isa == qg::Isa::Avx512Vnni) coda_vnni_1t = ops / t * 1e-9;
      }
    }
    if (isa != qg::Isa::Scalar) {
      std::fill(c.begin(), c.end(), 0);
      const double t = best_seconds(r, [&] { qg::gemm_u8s8s32(isa, s, s, s, a.data(), s, b.data(), s, c.data(), s); });
      const bool exact = c == ref;
      all_exact &= exact;
      std::printf("coda %-39s %8d %10.1f %10.2f %s\n", (std::string(qg::isa_name(isa)) + " (B packed per call)").c_str(), 1,
                  ops / t * 1e-9, t * 1e3, exact ? "= reference" : "DIFFERS from reference");
    }
  }

  // oneDNN restricted to AVX-512 VNNI, same process.
  Onednn d(s, s, s, a.data(), b.data());
  double dnnl_vnni_1t = 0;
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    const double t = best_seconds(reps, [&] { d.run(); });
    if (threads == 1) dnnl_vnni_1t = ops / t * 1e-9;
    const bool exact = std::memcmp(d.out(), ref.data(), ref.size() * sizeof(int32_t)) == 0;
    std::printf("%-44s %8d %10.1f %10.2f %s\n", ("onednn " + d.impl).c_str(), threads, ops / t * 1e-9, t * 1e3,
                exact ? "= reference" : "differs from reference");
  }
  // coda's VNNI output against oneDNN's, bit for bit.
  bool same_as_onednn = false;
  if (qg::isa_supported(qg::Isa::Avx512Vnni)) {
    qg::gemm_u8s8s32(qg::Isa::Avx512Vnni, s, s, s, a.data(), s, b.data(), s, c.data(), s);
    same_as_onednn = std::memcmp(d.out(), c.data(), c.size() * sizeof(int32_t)) == 0;
  }

  // oneDNN at its default ISA (AMX where present), in a child process.
  char self[4096] = {};
  if (readlink("/proc/self/exe", self, sizeof self - 1) <= 0) std::snprintf(self, sizeof self, "%s", argv[0]);
  std::string cmd = std::string("'") + self + "' --onednn-default --size " + std::to_string(s) + " --reps " + std::to_string(reps);
  double dnnl_default = 0;
  char impl[256] = "?";
  if (FILE* f = popen(cmd.c_str(), "r")) {
    if (std::fscanf(f, "%lf %255s", &dnnl_default, impl) != 2) dnnl_default = 0;
    pclose(f);
  }
  std::printf("%-44s %8d %10.1f %10s %s\n", (std::string("onednn ") + impl + " (default ISA)").c_str(), 1, dnnl_default, "-",
              "(information only)");

  std::printf("\nratio coda / oneDNN, same ISA (AVX-512 VNNI), 1 thread: %.2f  (coda %.1f GOPS, oneDNN %.1f GOPS)\n",
              dnnl_vnni_1t > 0 ? coda_vnni_1t / dnnl_vnni_1t : 0.0, coda_vnni_1t, dnnl_vnni_1t);
  if (dnnl_default > 0)
    std::printf("ratio coda best / oneDNN default ISA, 1 thread: %.2f\n", coda_best_1t / dnnl_default);
  std::printf("coda output = oneDNN (VNNI) bit for bit: %s; every coda path = reference: %s\n",
              qg::isa_supported(qg::Isa::Avx512Vnni) ? (same_as_onednn ? "yes" : "NO") : "n/a (no VNNI)",
              all_exact ? "yes" : "NO");

  layer_section(std::max(3, reps / 2));
  return all_exact && (same_as_onednn || !qg::isa_supported(qg::Isa::Avx512Vnni)) ? 0 : 1;
}
