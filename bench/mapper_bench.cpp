// mapper_bench: mappings evaluated per second per thread on VGG02 layer 5 (C128 M256 P=Q=56 R=S=3)
// on the exercise-06 Eyeriss-like architecture (14 x 12 PEs, row-stationary constraints), against a
// baseline in the same process: the one-off map::evaluate(), which builds its evaluator per call.
// Then the whole mapper at 1 and 2 threads (the mapping must be the same), and all of ResNet-50
// mapped on the same architecture.
//
//   build/release/bench/mapper_bench [--seconds S]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "coda/exec/executor.h"
#include "coda/map/evaluator.h"
#include "coda/map/mapper.h"
#include "coda/map/network.h"
#include "coda/zoo/zoo.h"
#include "coda/map/search.h"
#include "coda/map/timeloop_inputs.h"

using namespace coda;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

map::TimeloopInputs eyeriss_vgg() {
  std::string d = std::string(CODA_SOURCE_DIR) + "/tests/data/timeloop/06-mapper-convlayer-eyeriss/";
  return map::load_timeloop_inputs({d + "prob/VGG02_layer5.yaml", d + "arch/eyeriss_like.yaml", d + "arch/ERT.yaml",
                                    d + "arch/ART.yaml", d + "constraints/eyeriss_like_arch_constraints.yaml",
                                    d + "constraints/eyeriss_like_map_constraints.yaml"});
}

}  // namespace

int main(int argc, char** argv) {
  double budget = 2.0;
  for (int i = 1; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], "--seconds")) budget = std::stod(argv[i + 1]);
  map::TimeloopInputs in = eyeriss_vgg();
  map::Mapspace space(in.problem, in.arch, in.constraints);
  // The valid mappings of the mapspace (those that fit), found once.
  std::vector<map::MappingId> valid;
  {
    map::Evaluator ev(in.problem, in.arch);
    map::Mapping m = space.make_default();
    map::ExhaustiveSearch s(space, 0, static_cast<uint64_t>(space.factor_space()));
    map::MappingId id;
    map::EvalStatus st;
    while (s.next(id)) {
      space.fill(id, m);
      bool ok = ev.fits(m, st);
      if (ok) valid.push_back(id);
      s.report(st, nullptr);
    }
  }
  std::printf("mapper_bench: VGG02 layer 5 (%lld MACs) on the exercise-06 Eyeriss-like architecture, %zu valid mappings\n",
              (long long)in.problem.macs(), valid.size());

  // Full evaluations (mapspace fill + capacity/fan-out checks + cost) into one scratch Cost, 1 thread.
  map::Evaluator ev(in.problem, in.arch);
  map::Cost cost;
  ev.prepare(cost);
  map::Mapping m = space.make_default();
  uint64_t n = 0;
  double energy_sum = 0;
  auto t0 = Clock::now();
  while (since(t0) < budget)
    for (size_t k = 0; k < valid.size() && k < 4096; ++k, ++n) {
      space.fill(valid[(n * 7919) % valid.size()], m);
      ev.evaluate(m, cost);
      energy_sum += cost.energy_pj;
    }
  double fast = static_cast<double>(n) / since(t0);

  // Baseline: the one-off evaluate(), which checks the mapping and builds an evaluator each call.
  uint64_t nb = 0;
  t0 = Clock::now();
  while (since(t0) < budget / 2)
    for (size_t k = 0; k < 512; ++k, ++nb) {
      space.fill(valid[(nb * 7919) % valid.size()], m);
      energy_sum -= map::evaluate(in.problem, in.arch, m).energy_pj;
    }
  double slow = static_cast<double>(nb) / since(t0);
  std::printf("full evaluations, 1 thread, reused scratch: %.0f mappings/s (%.2f us each)\n", fast, 1e6 / fast);
  std::printf("baseline map::evaluate() per call:          %.0f mappings/s; scratch is %.1fx faster (checksum %g)\n",
              slow, fast / slow, energy_sum);
  std::printf("target >= 100000 mappings/s/thread: %s\n", fast >= 1e5 ? "met" : "NOT met");

  // The mapper end to end: exhaustive over the constrained mapspace, 1 and 2 threads.
  map::MapperOptions o;
  o.threads = 1;
  map::MapperResult one = map::Mapper(in.problem, in.arch, in.constraints, o).run();
  o.threads = 2;
  map::MapperResult two = map::Mapper(in.problem, in.arch, in.constraints, o).run();
  std::printf("mapper (%s, %.0f mappings): 1 thread %.3f s = %.0f evaluated/s (%.0f valid/s); 2 threads %.3f s, "
              "speed-up %.2fx; same mapping: %s\n",
              one.algorithm.c_str(), one.mapspace_size, one.seconds, static_cast<double>(one.evaluated) / one.seconds,
              static_cast<double>(one.valid) / one.seconds, two.seconds, one.seconds / two.seconds,
              one.mapping == two.mapping && one.cost.energy_pj == two.cost.energy_pj ? "yes" : "NO");
  std::printf("best (edp): %lld cycles, %.4g pJ, %.3f pJ/MAC, utilization %.1f%%\n", (long long)one.cost.cycles,
              one.cost.energy_pj, one.cost.pj_per_mac(), 100 * one.cost.utilization);

  // Whole network: every conv and fc layer of ResNet-50 (no mapspace constraints: random sampling
  // and hill climbing per distinct shape), 2 threads.
  graph::Graph g = zoo::build_spec("zoo:resnet50");
  exec::prepare(g);
  exec::specialize(g, 1);
  map::MapperOptions no;
  no.threads = 2;
  t0 = Clock::now();
  map::NetworkMapping net = map::map_network(workload::extract(g), in.arch, no);
  std::printf("ResNet-50: %zu layers (%d distinct shapes) mapped in %.2f s wall on 2 threads (target <= 20 s); "
              "%.3f pJ/MAC, utilization %.1f%%\n",
              net.layers.size(), net.distinct_shapes, since(t0), net.pj_per_mac(), 100 * net.utilization);
  return 0;
}
