// The `simba` template: Simba's chiplet PE array. Each PE has 8 vector MACs of 8 lanes (64 INT8 MACs),
// a weight buffer, an input buffer and an accumulation buffer; each chiplet a global PE buffer.
#include "coda/hw/templates_impl.h"

namespace coda::hw::detail {

namespace {

TemplateResult build(const TemplateArgs& a, const ComponentLibrary& lib) {
  double nm = a.number("technology_nm");
  int64_t chiplets = a.integer("chiplets"), pes = a.product({chiplets, a.integer("pes_per_chiplet")});
  int64_t macs_per_pe = a.product({a.integer("vector_macs"), a.integer("lanes")});
  TemplateResult r;
  Architecture& arch = r.arch;
  arch.name = "simba";
  // Accumulation buffer: 24-bit partial sums.
  arch.levels.push_back(make_level(lib,
                                   {.name = "AccumulationBuffer", .capacity_words = a.integer("accum_kib") * kKiB * 8 / 24,
                                    .word_bits = 24, .instances = pes, .holds = {"Outputs"}},
                                   nm));
  arch.levels.push_back(make_level(lib,
                                   {.name = "WeightBuffer", .capacity_words = a.integer("weight_kib") * kKiB,
                                    .word_bits = 8, .block_size = 8, .instances = pes, .holds = {"Weights"}},
                                   nm));
  arch.levels.push_back(make_level(lib,
                                   {.name = "InputBuffer", .capacity_words = a.integer("input_kib") * kKiB,
                                    .word_bits = 8, .block_size = 8, .instances = pes, .holds = {"Inputs"}},
                                   nm));
  arch.levels.push_back(make_level(lib,
                                   {.name = "GlobalBuffer", .capacity_words = a.integer("glb_kib") * kKiB,
                                    .word_bits = 8, .block_size = 32, .instances = chiplets,
                                    .holds = {"Inputs", "Outputs"}},
                                   nm));
  arch.levels.push_back(make_dram(lib, a.text("dram"), 8, 8));
  arch.compute = make_compute(lib, "INT8", a.product({pes, macs_per_pe}), 0, nm);
  return r;
}

}  // namespace

TemplateDef simba_template() {
  std::vector<TemplateParam> p{
      {"chiplets", "chiplets in the package (Simba's full package has 36)", {}},
      {"pes_per_chiplet", "PEs per chiplet", {}},
      {"vector_macs", "vector MAC units per PE", {}},
      {"lanes", "INT8 lanes per vector MAC", {}},
      {"weight_kib", "weight buffer KiB per PE", {}},
      {"input_kib", "input buffer KiB per PE", {}},
      {"accum_kib", "accumulation buffer KiB per PE (24-bit words)", {}},
      {"glb_kib", "global PE buffer KiB per chiplet", {}},
  };
  for (auto& c : common_params()) p.push_back(c);
  return {"simba",
          "Simba chiplet(s): PEs of vector_macs x lanes INT8 MACs with weight, input and accumulation "
          "buffers, a global PE buffer per chiplet",
          p, build};
}

}  // namespace coda::hw::detail
