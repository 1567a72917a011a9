#include "coda/map/report_json.h"

#include <cmath>

#include "coda/core/error.h"

namespace coda::map {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') out += '\\', out += ch;
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20) out += format("\\u%04x", c);
    else out += ch;
  }
  return out + "\"";
}

namespace {

// 17 significant digits round-trip a double; JSON has no inf/nan, so those become null.
std::string num(double v) {
  if (!std::isfinite(v)) return "null";
  return format("%.17g", v);
}

std::string num(int64_t v) { return std::to_string(v); }

}  // namespace

std::string cost_to_json(const Cost& c, const workload::Problem& p, const hw::Architecture& a) {
  double macs = c.macs ? static_cast<double>(c.macs) : 1;
  std::string j = "{\"cycles\": " + num(c.cycles) + ", \"compute_cycles\": " + num(c.compute_cycles) +
                  ", \"energy_pj\": " + num(c.energy_pj) + ", \"energy_uj\": " + num(c.energy_pj / 1e6) +
                  ", \"network_energy_pj\": " + num(c.network_energy_pj) +
                  ", \"pj_per_mac\": " + num(c.pj_per_mac()) + ", \"macs\": " + num(c.macs) +
                  ", \"utilization\": " + num(c.utilization) + ", \"area_mm2\": " + num(c.area_um2 / 1e6) +
                  ", \"levels\": [";
  for (size_t k = c.levels.size(); k-- > 0;) {
    const LevelCost& l = c.levels[k];
    j += "{\"name\": " + json_string(a.levels[k].name) + ", \"instances\": " + num(l.utilized_instances) +
         ", \"energy_pj\": " + num(l.energy_pj) + ", \"pj_per_mac\": " + num(l.energy_pj / macs) +
         ", \"cycles\": " + num(l.cycles) + ", \"slowdown\": " + num(l.slowdown) +
         ", \"read_energy_pj\": " + num(l.read_energy_pj) + ", \"fill_energy_pj\": " + num(l.fill_energy_pj) +
         ", \"update_energy_pj\": " + num(l.update_energy_pj) + ", \"network\": {\"words\": " +
         num(l.network_words) + ", \"hops\": " + num(l.network_hops) + ", \"energy_pj\": " + num(l.network_energy_pj) +
         "}, \"data_spaces\": [";
    bool first = true;
    for (size_t s = 0; s < l.data_spaces.size(); ++s) {
      const DataSpaceCost& d = l.data_spaces[s];
      if (!d.kept) continue;
      j += std::string(first ? "" : ", ") + "{\"name\": " + json_string(p.data_spaces[s].name) +
           ", \"tile\": " + num(d.tile_words) + ", \"partition\": " + num(d.partition_words) +
           ", \"reads\": " + num(d.reads) + ", \"fills\": " + num(d.fills) + ", \"updates\": " + num(d.updates) +
           ", \"fanout\": " + num(d.fanout) + ", \"multicast\": " +
           num(static_cast<double>(d.fanout) / static_cast<double>(d.distinct ? d.distinct : 1)) +
           ", \"energy_pj\": " + num(d.energy_pj) + "}";
      first = false;
    }
    j += std::string("]}") + (k ? ", " : "");
  }
  j += "], \"mac\": {\"name\": " + json_string(a.compute.name) + ", \"instances\": " + num(c.mac_instances) +
       ", \"energy_pj\": " + num(c.mac_energy_pj) + ", \"pj_per_mac\": " + num(c.mac_energy_pj / macs) + "}}";
  return j;
}

}  // namespace coda::map
