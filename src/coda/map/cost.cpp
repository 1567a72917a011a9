#include "coda/map/cost.h"

#include "coda/core/error.h"

namespace coda::map {

namespace {

template <class F>
int64_t sum_all(const LevelCost& l, F field) {
  int64_t n = 0;
  for (const DataSpaceCost& d : l.data_spaces) n += field(d) * d.instances;
  return n;
}

}  // namespace

int64_t LevelCost::reads() const { return sum_all(*this, [](const DataSpaceCost& d) { return d.reads; }); }
int64_t LevelCost::fills() const { return sum_all(*this, [](const DataSpaceCost& d) { return d.fills; }); }
int64_t LevelCost::updates() const { return sum_all(*this, [](const DataSpaceCost& d) { return d.updates; }); }

std::string describe(const EvalStatus& s, const Cost& c, const workload::Problem& p, const hw::Architecture& a) {
  if (s.ok()) return "ok";
  const std::string& level = a.levels[static_cast<size_t>(s.level)].name;
  if (s.fail == Fail::capacity) {
    std::string parts;
    if (static_cast<size_t>(s.level) < c.levels.size())
      for (size_t d = 0; d < p.data_spaces.size(); ++d) {
        const DataSpaceCost& dc = c.levels[static_cast<size_t>(s.level)].data_spaces[d];
        if (!dc.kept && dc.tile_words == 0) continue;
        parts += (parts.empty() ? "" : " + ") + p.data_spaces[d].name + " " + std::to_string(dc.tile_words);
      }
    std::string largest = s.data_space >= 0 ? p.data_spaces[static_cast<size_t>(s.data_space)].name : "?";
    return format("level %s: the tiles it keeps need %lld words, more than its capacity of %lld (largest: %s)",
                  level.c_str(), (long long)s.needed, (long long)s.available, largest.c_str()) +
           (parts.empty() ? "" : "; " + parts);
  }
  const char* axis = s.fail == Fail::fanout_x ? "X" : "Y";
  return format("level %s: its spatial loops along %s need %lld instances below it, but it fans out to %lld",
                level.c_str(), axis, (long long)s.needed, (long long)s.available);
}

}  // namespace coda::map
