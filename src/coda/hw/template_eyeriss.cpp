// The `eyeriss` template: Eyeriss v1, a 12 x 14 array of 16-bit PEs running row-stationary, each PE
// with ifmap, weight and psum scratchpads, under a 108 KiB global buffer.
#include "coda/hw/templates_impl.h"

namespace coda::hw::detail {

namespace {

TemplateResult build(const TemplateArgs& a, const ComponentLibrary& lib) {
  double nm = a.number("technology_nm");
  int64_t rows = a.integer("pe_rows"), cols = a.integer("pe_cols"), pes = a.product({rows, cols});
  TemplateResult r;
  Architecture& arch = r.arch;
  arch.name = "eyeriss";
  // Timeloop's Eyeriss model keeps the three scratchpads as one level each, innermost psums.
  auto spad = [&](const char* name, const char* param, const char* space) {
    return make_level(lib,
                      {.name = name, .kind = "regfile", .capacity_words = a.integer(param), .word_bits = 16,
                       .instances = pes, .mesh_x = cols, .holds = {space}},
                      nm);
  };
  arch.levels.push_back(spad("PsumSpad", "psum_spad", "Outputs"));
  arch.levels.push_back(spad("WeightsSpad", "weights_spad", "Weights"));
  arch.levels.push_back(spad("IfmapSpad", "ifmap_spad", "Inputs"));
  // The global buffer holds ifmaps and psums; filters go from DRAM to the PEs (Chen et al. 2017, Sec. V).
  arch.levels.push_back(make_level(lib,
                                   {.name = "GlobalBuffer", .capacity_words = a.integer("glb_kib") * kKiB / 2,
                                    .word_bits = 16, .block_size = 4,
                                    .banks = static_cast<int>(a.integer("glb_banks")), .holds = {"Inputs", "Outputs"}},
                                   nm));
  arch.levels.push_back(make_dram(lib, a.text("dram"), 16, 4));
  arch.compute = make_compute(lib, "INT16", pes, cols, nm);
  return r;
}

}  // namespace

TemplateDef eyeriss_template() {
  std::vector<TemplateParam> p{
      {"pe_rows", "PE rows", {}},
      {"pe_cols", "PE columns", {}},
      {"glb_kib", "global buffer KiB (16-bit words)", {}},
      {"glb_banks", "global buffer banks (coda: 27 x 4 KiB)", {}},
      {"ifmap_spad", "ifmap scratchpad words per PE", {}},
      {"weights_spad", "weight scratchpad words per PE", {}},
      {"psum_spad", "psum scratchpad words per PE", {}},
  };
  for (auto& c : common_params()) p.push_back(c);
  return {"eyeriss",
          "Eyeriss v1: a pe_rows x pe_cols array of 16-bit PEs, row-stationary, with per-PE ifmap, "
          "weight and psum scratchpads under a global buffer",
          p, build};
}

}  // namespace coda::hw::detail
