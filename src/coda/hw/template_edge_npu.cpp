// The `edge-npu` template: an ESCA-like edge accelerator whose PEs are precision-scalable INT8 MACs
// that each run 2 INT4 (or 4 INT2) MACs per cycle. ESCA does not publish its array or buffer sizes:
// every size here is coda's choice.
#include "coda/hw/templates_impl.h"

namespace coda::hw::detail {

namespace {

TemplateResult build(const TemplateArgs& a, const ComponentLibrary& lib) {
  double nm = a.number("technology_nm");
  int64_t rows = a.integer("rows"), cols = a.integer("cols");
  const std::string& mode = a.text("precision");
  int bits = mode == "INT8" ? 8 : mode == "INT4" ? 4 : 2;
  int64_t ops = scalable_ops_per_cycle(lib, mode);
  TemplateResult r;
  Architecture& arch = r.arch;
  arch.name = "edge-npu";
  // One logical MAC per operation per cycle: a unit in INT4 mode is two MACs along X.
  int64_t units = a.product({rows, cols}), macs = a.product({units, ops});
  arch.levels.push_back(make_level(lib,
                                   {.name = "PERegisterFile", .kind = "regfile",
                                    .capacity_words = a.integer("rf_bytes") * 8 / bits, .word_bits = bits,
                                    .instances = units, .mesh_x = cols, .holds = {"Weights", "Outputs"}},
                                   nm));
  arch.levels.push_back(make_level(lib,
                                   {.name = "GlobalBuffer", .capacity_words = a.integer("glb_kib") * kKiB * 8 / bits,
                                    .word_bits = bits, .block_size = static_cast<int>(cols * 8 / bits),
                                    .banks = static_cast<int>(a.integer("glb_banks"))},
                                   nm));
  arch.levels.push_back(make_dram(lib, a.text("dram"), bits, 64 / bits));
  ComputeLevel c;
  c.instances = macs;
  c.mesh_x = cols * ops;
  c.word_bits = bits;
  ArithCost m = scalable_mac_cost(lib, mode, nm);
  c.energy_per_mac_pj = m.energy_pj;
  c.area_um2 = m.area_um2 / static_cast<double>(ops);   // per logical MAC, so instances x area = units x unit area
  arch.compute = c;
  return r;
}

}  // namespace

TemplateDef edge_npu_template() {
  std::vector<TemplateParam> p{
      {"rows", "precision-scalable PE rows", {}},
      {"cols", "precision-scalable PE columns", {}},
      {"precision", "operating mode: INT8, or 2 INT4 / 4 INT2 MACs per PE per cycle", {"INT8", "INT4", "INT2"}},
      {"rf_bytes", "register file bytes per PE", {}},
      {"glb_kib", "global buffer KiB", {}},
      {"glb_banks", "global buffer banks", {}},
  };
  for (auto& c : common_params()) p.push_back(c);
  return {"edge-npu",
          "ESCA-like INT4/INT8 edge NPU: rows x cols precision-scalable PEs (1 INT8, 2 INT4 or 4 INT2 "
          "MACs per cycle), a register file per PE, a banked global buffer",
          p, build};
}

}  // namespace coda::hw::detail
