#include "coda/map/report.h"

#include "coda/core/error.h"

namespace coda::map {

std::string format_summary(const Cost& c) {
  return format("cycles %lld, energy %.2f pJ (%.3f pJ/MAC), utilization %.1f%%, area %.3f mm^2, %lld MACs",
                (long long)c.cycles, c.energy_pj, c.pj_per_mac(), 100 * c.utilization, c.area_um2 / 1e6,
                (long long)c.macs);
}

std::string format_cost(const Cost& c, const workload::Problem& p, const hw::Architecture& a) {
  std::string out = format_summary(c) + "\n";
  out += format("%-14s %9s %14s %8s %8s  %-10s %10s %12s %12s %12s %14s\n", "level", "instances", "energy_pj", "pJ/MAC",
                "cycles", "data space", "tile", "reads", "fills", "updates", "energy_pj");
  double macs = c.macs ? static_cast<double>(c.macs) : 1;
  for (size_t k = c.levels.size(); k-- > 0;) {
    const LevelCost& l = c.levels[k];
    bool first = true;
    for (size_t s = 0; s < l.data_spaces.size(); ++s) {
      const DataSpaceCost& d = l.data_spaces[s];
      if (!d.kept) continue;
      if (first)
        out += format("%-14s %9lld %14.2f %8.3f %8lld  ", a.levels[k].name.c_str(), (long long)l.utilized_instances,
                      l.energy_pj, l.energy_pj / macs, (long long)l.cycles);
      else
        out += format("%-14s %9s %14s %8s %8s  ", "", "", "", "", "");
      first = false;
      out += format("%-10s %10lld %12lld %12lld %12lld %14.2f\n", p.data_spaces[s].name.c_str(), (long long)d.tile_words,
                    (long long)d.reads, (long long)d.fills, (long long)d.updates, d.energy_pj);
    }
    if (first)
      out += format("%-14s %9lld %14.2f %8.3f %8lld  (keeps nothing)\n", a.levels[k].name.c_str(),
                    (long long)l.utilized_instances, l.energy_pj, l.energy_pj / macs, (long long)l.cycles);
    if (l.network_energy_pj > 0)
      out += format("%-14s %9s %14s %8s %8s  %-10s %10s %12.0f words, %12.1f hops %14.2f\n", "", "", "", "", "",
                    "(network)", "", l.network_words, l.network_hops, l.network_energy_pj);
  }
  out += format("%-14s %9lld %14.2f %8.3f %8lld\n", a.compute.name.c_str(), (long long)c.mac_instances, c.mac_energy_pj,
                c.mac_energy_pj / macs, (long long)c.compute_cycles);
  return out;
}

}  // namespace coda::map
