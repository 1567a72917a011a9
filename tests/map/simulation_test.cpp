// The cost model against a reference simulation on random mappings of a GEMM on a 4-level
// architecture with two spatial levels (one 2-D) and random bypass. The simulation walks every
// iteration of the nest and every spatial instance, and counts directly: a level's instance is
// filled whenever its tile changes; a parent serves, at that step, one copy per distinct tile among
// its children (multicast, or spatial reduction for partial sums); partial-sum reads are updates
// minus the distinct outputs an instance sees. Without sliding windows (GEMM), this is what
// Timeloop's delta analysis computes, so the counts must agree exactly.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>
#include <set>

#include "coda/map/evaluator.h"

namespace coda::map {
namespace {

workload::Problem gemm(int64_t M, int64_t N, int64_t K) {
  workload::Problem p;
  p.dims = {"M", "N", "K"};
  p.bounds = {M, N, K};
  p.data_spaces = {{"A", {{{0, -1}}, {{2, -1}}}, false, 8},
                   {"B", {{{2, -1}}, {{1, -1}}}, false, 8},
                   {"Z", {{{0, -1}}, {{1, -1}}}, true, 32}};
  return p;
}

// RF (x8, one MAC each) < L1 (x4: 2 along X, 2 along Y under the GLB; 2 RFs along X each) < GLB < DRAM.
// Capacities are unbounded, so only fan-out limits the mappings.
hw::Architecture arch() {
  hw::Architecture a;
  auto level = [](const char* n, int64_t inst, int64_t mesh_x) {
    hw::StorageLevel l;
    l.name = n;
    l.instances = inst;
    l.mesh_x = mesh_x;
    return l;
  };
  a.levels = {level("RF", 8, 4), level("L1", 4, 2), level("GLB", 1, 1), level("DRAM", 1, 1)};
  a.compute.instances = 8;
  a.compute.mesh_x = 4;
  hw::check(a, "sim");
  return a;
}

struct Loop {
  int level, dim;
  bool spatial;
  int64_t n, scale;
};

// Per level and data space: totals over all instances.
struct Totals {
  int64_t reads = 0, fills = 0, updates = 0, partition = 0;
};

std::vector<std::vector<Totals>> simulate(const workload::Problem& p, const Mapping& m) {
  int L = static_cast<int>(m.levels.size()), D = 3, S = 3;
  std::vector<Loop> loops;  // innermost first
  std::vector<int64_t> below(static_cast<size_t>(D), 1);
  for (int i = 0; i < L; ++i) {
    for (int d = 0; d < D; ++d)
      if (m.levels[static_cast<size_t>(i)].spatial[static_cast<size_t>(d)] > 1) {
        loops.push_back({i, d, true, m.levels[static_cast<size_t>(i)].spatial[static_cast<size_t>(d)], below[static_cast<size_t>(d)]});
        below[static_cast<size_t>(d)] *= loops.back().n;
      }
    for (int d : m.levels[static_cast<size_t>(i)].permutation)
      if (m.levels[static_cast<size_t>(i)].temporal[static_cast<size_t>(d)] > 1) {
        loops.push_back({i, d, false, m.levels[static_cast<size_t>(i)].temporal[static_cast<size_t>(d)], below[static_cast<size_t>(d)]});
        below[static_cast<size_t>(d)] *= loops.back().n;
      }
  }
  auto dims_of = [&](const std::vector<int64_t>& idx, int above) {  // coordinates from loops at levels > above
    std::vector<int64_t> x(static_cast<size_t>(D), 0);
    for (size_t k = 0; k < loops.size(); ++k)
      if (loops[k].level > above) x[static_cast<size_t>(loops[k].dim)] += idx[k] * loops[k].scale;
    return x;
  };
  auto project = [&](int s, const std::vector<int64_t>& x) {
    const auto& ds = p.data_spaces[static_cast<size_t>(s)];
    std::vector<int64_t> c;
    for (const auto& rank : ds.projection) c.push_back(x[static_cast<size_t>(rank[0].dim)]);
    return c;
  };
  auto instance = [&](const std::vector<int64_t>& idx, int above) {  // spatial indices of levels > above
    std::vector<int64_t> id;
    for (size_t k = 0; k < loops.size(); ++k)
      if (loops[k].spatial && loops[k].level > above) id.push_back(idx[k]);
    return id;
  };
  auto tile_words = [&](int level, int s) {  // words of a level's tile of data space s; 1 for the MACs
    std::vector<int64_t> ext(3, 1);
    for (const Loop& lp : loops)
      if (lp.level <= level) ext[static_cast<size_t>(lp.dim)] *= lp.n;
    int64_t words = 1;
    for (const auto& rank : p.data_spaces[static_cast<size_t>(s)].projection) words *= ext[static_cast<size_t>(rank[0].dim)];
    return words;
  };
  std::vector<std::vector<Totals>> t(static_cast<size_t>(L), std::vector<Totals>(static_cast<size_t>(S)));
  std::map<std::tuple<int, int, std::vector<int64_t>>, std::vector<int64_t>> last;   // (level, ds, instance) -> tile base
  std::map<std::tuple<int, int, std::vector<int64_t>>, std::set<std::vector<int64_t>>> seen;
  std::vector<size_t> temporal, spatial;
  for (size_t k = loops.size(); k-- > 0;) (loops[k].spatial ? spatial : temporal).push_back(k);  // outermost first
  std::vector<int64_t> idx(loops.size(), 0);
  std::function<void(size_t)> over_time = [&](size_t q) {
    if (q < temporal.size()) {
      for (idx[temporal[q]] = 0; idx[temporal[q]] < loops[temporal[q]].n; ++idx[temporal[q]]) over_time(q + 1);
      idx[temporal[q]] = 0;
      return;
    }
    // One time step: every spatial instance; per (parent level, parent instance, ds) the distinct tiles served.
    std::map<std::tuple<int, int, std::vector<int64_t>>, std::set<std::vector<int64_t>>> served;
    std::function<void(size_t)> over_space = [&](size_t q2) {
      if (q2 < spatial.size()) {
        for (idx[spatial[q2]] = 0; idx[spatial[q2]] < loops[spatial[q2]].n; ++idx[spatial[q2]]) over_space(q2 + 1);
        idx[spatial[q2]] = 0;
        return;
      }
      for (int s = 0; s < S; ++s) {
        std::vector<int64_t> child_tile = project(s, dims_of(idx, -1));  // the MACs access one point a step
        bool changed = true;
        for (int l = 0; l < L; ++l) {
          if (!m.levels[static_cast<size_t>(l)].keeps(s)) continue;
          if (changed) served[{l, s, instance(idx, l)}].insert(child_tile);  // keyed by the child's tile base
          std::vector<int64_t> tile = project(s, dims_of(idx, l));
          auto key = std::make_tuple(l, s, instance(idx, l));
          changed = !last.count(key) || last[key] != tile;
          if (changed) {
            last[key] = tile;
            if (l < L - 1) t[static_cast<size_t>(l)][static_cast<size_t>(s)].fills += tile_words(l, s);
          }
          seen[key].insert(tile);
          child_tile = tile;
        }
      }
    };
    over_space(0);
    for (auto& [key, tiles] : served) {
      auto [l, s, inst] = key;
      (void)inst;
      int child = -1;
      for (int j = l - 1; j >= 0; --j)
        if (m.levels[static_cast<size_t>(j)].keeps(s)) {
          child = j;
          break;
        }
      int64_t words = static_cast<int64_t>(tiles.size()) * (child >= 0 ? tile_words(child, s) : 1);
      (p.data_spaces[static_cast<size_t>(s)].read_write ? t[static_cast<size_t>(l)][static_cast<size_t>(s)].updates
                                                         : t[static_cast<size_t>(l)][static_cast<size_t>(s)].reads) += words;
    }
  };
  over_time(0);
  // Fills: tile changes per instance; partitions: distinct tiles per instance.
  for (auto& [key, tiles] : seen) {
    auto [l, s, inst] = key;
    (void)inst;
    t[static_cast<size_t>(l)][static_cast<size_t>(s)].partition += static_cast<int64_t>(tiles.size()) * tile_words(l, s);
  }
  return t;
}

TEST(CostModelSimulation, RandomGemmMappingsMatchTheReferenceWalk) {
  workload::Problem p = gemm(4, 6, 4);
  hw::Architecture a = arch();
  std::mt19937_64 rng(12345);
  Evaluator ev(p, a);
  Cost c;
  ev.prepare(c);
  int checked = 0, multicast = 0, bypassed = 0, spread = 0;
  for (int trial = 0; checked < 200 && trial < 20000; ++trial) {
    Mapping m = Mapping::trivial(4, 3, 3);
    for (int d = 0; d < 3; ++d) {
      int64_t left = p.bounds[static_cast<size_t>(d)];
      // Random split over RF t, L1 s, L1 t, GLB s, GLB t; DRAM takes the rest.
      int64_t* slot[] = {&m.levels[0].temporal[d], &m.levels[1].spatial[d], &m.levels[1].temporal[d],
                         &m.levels[2].spatial[d], &m.levels[2].temporal[d]};
      for (int64_t* s : slot) {
        std::vector<int64_t> divs;
        for (int64_t f = 1; f <= left; ++f) if (left % f == 0) divs.push_back(f);
        *s = divs[rng() % divs.size()];
        left /= *s;
      }
      m.levels[3].temporal[d] = left;
      m.levels[2].spatial_y[d] = rng() % 2;
    }
    for (int i = 0; i < 4; ++i) std::shuffle(m.levels[i].permutation.begin(), m.levels[i].permutation.end(), rng);
    for (int i = 0; i < 3; ++i) m.levels[i].keep = static_cast<uint32_t>(rng() % 8);
    if (!ev.evaluate(m, c)) continue;
    auto sim = simulate(p, m);
    spread += c.mac_instances > 2;
    for (int l = 0; l < 3; ++l) {
      bypassed += m.levels[static_cast<size_t>(l)].keep != 7;
      for (const DataSpaceCost& d : c.levels[static_cast<size_t>(l)].data_spaces) multicast += d.kept && d.distinct < d.fanout;
    }
    for (int l = 0; l < 4; ++l)
      for (int s = 0; s < 3; ++s) {
        const DataSpaceCost& d = c.levels[static_cast<size_t>(l)].data_spaces[static_cast<size_t>(s)];
        if (!d.kept) continue;
        const Totals& want = sim[static_cast<size_t>(l)][static_cast<size_t>(s)];
        std::string where = "trial " + std::to_string(trial) + " level " + a.levels[static_cast<size_t>(l)].name + " " +
                            p.data_spaces[static_cast<size_t>(s)].name;
        EXPECT_EQ(d.partition_words * d.instances, want.partition) << where;
        EXPECT_EQ(d.fills * d.instances, want.fills) << where;
        if (p.data_spaces[static_cast<size_t>(s)].read_write) {
          EXPECT_EQ(d.updates * d.instances, want.updates) << where;
          EXPECT_EQ((d.reads + d.partition_words) * d.instances, want.updates) << where;
        } else {
          EXPECT_EQ(d.reads * d.instances, want.reads) << where;
        }
      }
    ++checked;
  }
  EXPECT_EQ(checked, 200);
  // The sample covers what the test is for: arrays in use, multicast or reduction, bypass.
  EXPECT_GT(spread, 20);
  EXPECT_GT(multicast, 40);
  EXPECT_GT(bypassed, 100);
}

}  // namespace
}  // namespace coda::map
