// The `edge-npu` template: an ESCA-like edge accelerator whose PEs are precision-scalable INT8 MACs
// that each run 2 INT4 (or 4 INT2) MACs per cycle (ComputeLevel::ops_per_cycle; the array keeps its
// rows x cols physical units in every mode). ESCA does not publish its array or buffer sizes: every
// size here is coda's choice.
#include "coda/hw/templates_impl.h"

namespace coda::hw::detail {

namespace {

TemplateResult build(const TemplateArgs& a, const ComponentLibrary& lib) {
  double nm = a.number("technology_nm");
  int64_t rows = a.integer("rows"), cols = a.integer("cols");
  const std::string& mode = a.text("precision");
  int bits = mac_precision(lib, mode).bits;
  int ops = scalable_ops_per_cycle(lib, mode);
  int per_byte = 8 / bits;                  // operands per byte: the physical geometry is in bytes
  TemplateResult r;
  Architecture& arch = r.arch;
  arch.name = "edge-npu";
  int64_t units = a.product({rows, cols});
  // The register file is rf_bytes of 8-bit rows whatever the mode: an access reads one byte, i.e.
  // per_byte operands (block_size), so its cost and area do not depend on the mode.
  arch.levels.push_back(make_level(lib,
                                   {.name = "PERegisterFile", .kind = "regfile",
                                    .capacity_words = a.integer("rf_bytes") * per_byte, .word_bits = bits,
                                    .block_size = per_byte, .instances = units, .mesh_x = cols,
                                    .holds = {"Weights", "Outputs"}},
                                   nm));
  arch.levels.push_back(make_level(lib,
                                   {.name = "GlobalBuffer", .capacity_words = a.integer("glb_kib") * kKiB * per_byte,
                                    .word_bits = bits, .block_size = static_cast<int>(cols * per_byte),
                                    .banks = static_cast<int>(a.integer("glb_banks"))},
                                   nm));
  arch.levels.push_back(make_dram(lib, a.text("dram"), bits, 64 / bits));
  // The physical units: each completes `ops` MACs of the mode per cycle (compute cycles divide by
  // it); energy per MAC is the unit's cycle energy shared by its operations, area per unit.
  ComputeLevel c;
  c.instances = units;
  c.mesh_x = cols;
  c.word_bits = bits;
  c.precision = mode;
  c.ops_per_cycle = ops;
  ArithCost m = scalable_mac_cost(lib, mode, nm);
  c.energy_per_mac_pj = m.energy_pj;
  c.area_um2 = m.area_um2;
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
