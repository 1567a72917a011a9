#include "coda/map/map_txt.h"

#include "coda/map/reuse.h"

namespace coda::map {

std::string to_map_txt(const workload::Problem& p, const hw::Architecture& a, const Mapping& m) {
  size_t dims = p.dims.size();
  // Tile extents per level: everything at or below it.
  std::vector<std::vector<int64_t>> tile(m.levels.size(), std::vector<int64_t>(dims, 1));
  for (size_t i = 0; i < m.levels.size(); ++i)
    for (size_t d = 0; d < dims; ++d)
      tile[i][d] = (i ? tile[i - 1][d] : 1) * m.levels[i].spatial[d] * m.levels[i].temporal[d];
  std::vector<detail::Projection> proj;
  for (size_t s = 0; s < p.data_spaces.size(); ++s) proj.push_back(detail::project(p, static_cast<int>(s)));

  std::string out = "\n", indent;
  auto loop = [&](int d, int64_t n, const char* suffix) {
    out += "| " + indent + "for " + p.dims[static_cast<size_t>(d)] + " in [0:" + std::to_string(n) + ")" + suffix + "\n";
    indent += "  ";
  };
  for (size_t k = m.levels.size(); k-- > 0;) {
    const LevelMapping& l = m.levels[k];
    std::string head = a.levels[k].name + " [ ";
    for (size_t s = 0; s < p.data_spaces.size(); ++s)
      if (l.keeps(static_cast<int>(s)))
        head += p.data_spaces[s].name + ":" + std::to_string(detail::tile_words(proj[s], tile[k].data())) + " ";
    head += "] ";
    out += head + "\n" + std::string(head.size() - 1, '-') + "\n";
    bool any = false;
    for (size_t j = l.permutation.size(); j-- > 0;) {
      int d = l.permutation[j];
      if (l.temporal[static_cast<size_t>(d)] > 1) loop(d, l.temporal[static_cast<size_t>(d)], ""), any = true;
    }
    if (!any && !l.permutation.empty()) loop(l.permutation.front(), 1, "");  // Timeloop prints a unit loop
    for (int axis = 1; axis >= 0; --axis)  // Y loops enclose X loops
      for (size_t j = l.spatial_permutation.size(); j-- > 0;) {
        int d = l.spatial_permutation[j];
        if (l.spatial[static_cast<size_t>(d)] > 1 && l.spatial_y[static_cast<size_t>(d)] == axis)
          loop(d, l.spatial[static_cast<size_t>(d)], axis ? " (Spatial-Y)" : " (Spatial-X)");
      }
    out += "\n";
  }
  return out;
}

}  // namespace coda::map
