// The `gemmini` template: a DIM x DIM systolic array of INT8 PEs with INT32 accumulation, a banked
// scratchpad for inputs and weights and an accumulator SRAM for outputs, weight- or output-stationary.
#include "coda/hw/templates_impl.h"

namespace coda::hw::detail {

namespace {

TemplateResult build(const TemplateArgs& a, const ComponentLibrary& lib) {
  double nm = a.number("technology_nm");
  int64_t dim = a.integer("dim");
  bool ws = a.text("dataflow") == "ws";
  TemplateResult r;
  Architecture& arch = r.arch;
  arch.name = "gemmini";
  // Each PE keeps its stationary operand: the weight (WS) or the INT32 partial sum (OS).
  arch.levels.push_back(make_level(lib,
                                   {.name = "PERegister", .kind = "regfile", .capacity_words = 1,
                                    .word_bits = ws ? 8 : 32, .instances = a.product({dim, dim}), .mesh_x = dim,
                                    .holds = {ws ? "Weights" : "Outputs"}},
                                   nm));
  // Accumulator: INT32 words, a row of DIM per access.
  arch.levels.push_back(make_level(lib,
                                   {.name = "Accumulator", .capacity_words = a.integer("acc_kib") * kKiB / 4,
                                    .word_bits = 32, .block_size = static_cast<int>(dim),
                                    .banks = static_cast<int>(a.integer("acc_banks")), .holds = {"Outputs"}},
                                   nm));
  arch.levels.push_back(make_level(lib,
                                   {.name = "Scratchpad", .capacity_words = a.integer("sp_kib") * kKiB,
                                    .word_bits = 8, .block_size = static_cast<int>(dim),
                                    .banks = static_cast<int>(a.integer("sp_banks")), .holds = {"Inputs", "Weights"}},
                                   nm));
  arch.levels.push_back(make_dram(lib, a.text("dram"), 8, static_cast<int>(a.integer("dma_bits") / 8)));
  arch.compute = make_compute(lib, "INT8", a.product({dim, dim}), dim, nm);
  return r;
}

}  // namespace

TemplateDef gemmini_template() {
  std::vector<TemplateParam> p{
      {"dim", "PE rows = PE columns (MACs = dim^2)", {}},
      {"dataflow", "weight- or output-stationary", {"ws", "os"}},
      {"sp_kib", "scratchpad KiB (INT8 inputs and weights)", {}},
      {"sp_banks", "scratchpad banks", {}},
      {"acc_kib", "accumulator KiB (INT32 outputs)", {}},
      {"acc_banks", "accumulator banks", {}},
      {"dma_bits", "DMA bus width in bits (DRAM block = dma_bits / 8 INT8 words)", {}},
  };
  for (auto& c : common_params()) p.push_back(c);
  return {"gemmini",
          "Gemmini systolic-array generator: a dim x dim array of INT8 PEs with INT32 accumulation, a "
          "banked scratchpad for inputs and weights, an accumulator SRAM for outputs; weight- or "
          "output-stationary",
          p, build};
}

}  // namespace coda::hw::detail
