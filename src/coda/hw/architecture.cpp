#include "coda/hw/architecture.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "coda/core/error.h"

namespace coda::hw {

bool StorageLevel::may_hold(const std::string& data_space) const {
  return holds.empty() || std::find(holds.begin(), holds.end(), data_space) != holds.end();
}

int64_t StorageLevel::effective_capacity_words() const {
  if (unbounded()) return 0;
  double mb = multiple_buffering > 0 ? multiple_buffering : 1;
  return std::max<int64_t>(0, static_cast<int64_t>(std::floor(static_cast<double>(capacity_words) / mb)));
}

int Architecture::level_index(const std::string& n) const {
  for (size_t i = 0; i < levels.size(); ++i)
    if (levels[i].name == n) return static_cast<int>(i);
  return -1;
}

double Architecture::area_um2() const {
  double a = compute.area_um2 * static_cast<double>(compute.instances);
  for (const StorageLevel& l : levels) a += l.area_um2 * static_cast<double>(l.instances);
  return a;
}

int64_t mesh_x(const StorageLevel& l) { return l.mesh_x > 0 ? l.mesh_x : l.instances; }
int64_t mesh_x(const ComputeLevel& c) { return c.mesh_x > 0 ? c.mesh_x : c.instances; }

namespace {

// Instances and mesh_x of the level below `level`.
std::pair<int64_t, int64_t> below(const Architecture& a, int level) {
  if (level == 0) return {a.compute.instances, mesh_x(a.compute)};
  const StorageLevel& l = a.levels[static_cast<size_t>(level - 1)];
  return {l.instances, mesh_x(l)};
}

}  // namespace

int64_t fanout(const Architecture& a, int level) {
  CODA_CHECK(level >= 0 && level < a.num_levels(), "level %d out of range", level);
  return below(a, level).first / a.levels[static_cast<size_t>(level)].instances;
}

int64_t fanout_x(const Architecture& a, int level) {
  CODA_CHECK(level >= 0 && level < a.num_levels(), "level %d out of range", level);
  int64_t x = mesh_x(a.levels[static_cast<size_t>(level)]);
  return std::max<int64_t>(1, below(a, level).second / x);
}

int64_t fanout_y(const Architecture& a, int level) {
  int64_t f = fanout(a, level), x = fanout_x(a, level);
  return std::max<int64_t>(1, f / x);
}

void check(const Architecture& a, const std::string& where) {
  if (a.levels.empty()) throw InvalidError(where, "the architecture has no storage levels");
  std::set<std::string> names;
  auto positive = [&](const std::string& lname, const char* what, int64_t v) {
    if (v <= 0) throw InvalidError(where, format("level %s: %s must be positive, got %lld", lname.c_str(), what, (long long)v));
  };
  for (const StorageLevel& l : a.levels) {
    if (l.name.empty()) throw InvalidError(where, "a storage level has no name");
    if (!names.insert(l.name).second) throw InvalidError(where, "two levels are named " + l.name);
    positive(l.name, "word_bits", l.word_bits);
    positive(l.name, "block_size", l.block_size);
    positive(l.name, "cluster_size", l.cluster_size);
    positive(l.name, "instances", l.instances);
    if (l.capacity_words < 0) throw InvalidError(where, "level " + l.name + ": capacity_words is negative");
    if (l.read_bandwidth < 0 || l.write_bandwidth < 0)
      throw InvalidError(where, "level " + l.name + ": a bandwidth is negative");
    if (l.multiple_buffering < 1) throw InvalidError(where, "level " + l.name + ": multiple_buffering must be >= 1");
    positive(l.name, "banks", l.banks);
    if (!(l.noc_hop_energy_pj_per_bit >= 0))
      throw InvalidError(where, "level " + l.name + ": noc_hop_energy_pj_per_bit is negative");
    if (mesh_x(l) <= 0 || l.instances % mesh_x(l) != 0)
      throw InvalidError(where, format("level %s: mesh_x %lld does not divide %lld instances", l.name.c_str(),
                                       (long long)mesh_x(l), (long long)l.instances));
  }
  positive(a.compute.name, "instances", a.compute.instances);
  positive(a.compute.name, "ops_per_cycle", a.compute.ops_per_cycle);
  positive(a.compute.name, "word_bits", a.compute.word_bits);
  if (a.compute.instances % mesh_x(a.compute) != 0)
    throw InvalidError(where, "compute " + a.compute.name + ": mesh_x does not divide its instances");
  for (int i = 0; i < a.num_levels(); ++i) {
    const StorageLevel& l = a.levels[static_cast<size_t>(i)];
    auto [n, x] = below(a, i);
    std::string inner = i == 0 ? a.compute.name : a.levels[static_cast<size_t>(i - 1)].name;
    if (n % l.instances != 0)
      throw InvalidError(where, format("level %s: its %lld instances do not divide the %lld instances of %s below it",
                                       l.name.c_str(), (long long)l.instances, (long long)n, inner.c_str()));
    if (x % mesh_x(l) != 0)
      throw InvalidError(where, format("level %s: mesh_x %lld does not divide mesh_x %lld of %s below it",
                                       l.name.c_str(), (long long)mesh_x(l), (long long)x, inner.c_str()));
  }
}

}  // namespace coda::hw
