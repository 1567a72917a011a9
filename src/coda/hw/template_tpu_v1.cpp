// The `tpu-v1` template: Google's first TPU, a 256 x 256 weight-stationary systolic array of INT8 MACs
// fed by a 24 MiB unified buffer, accumulating into 4 MiB of 32-bit accumulators.
#include "coda/hw/templates_impl.h"

namespace coda::hw::detail {

namespace {

TemplateResult build(const TemplateArgs& a, const ComponentLibrary& lib) {
  double nm = a.number("technology_nm");
  int64_t dim = a.integer("dim");
  TemplateResult r;
  Architecture& arch = r.arch;
  arch.name = "tpu-v1";
  arch.levels.push_back(make_level(lib,
                                   {.name = "WeightRegister", .kind = "regfile", .capacity_words = 1, .word_bits = 8,
                                    .instances = a.product({dim, dim}), .mesh_x = dim, .holds = {"Weights"}},
                                   nm));
  arch.levels.push_back(make_level(lib,
                                   {.name = "Accumulators", .capacity_words = a.integer("acc_kib") * kKiB / 4,
                                    .word_bits = 32, .block_size = static_cast<int>(dim), .holds = {"Outputs"}},
                                   nm));
  arch.levels.push_back(make_level(lib,
                                   {.name = "UnifiedBuffer", .capacity_words = a.integer("ub_kib") * kKiB,
                                    .word_bits = 8, .block_size = static_cast<int>(dim), .holds = {"Inputs"}},
                                   nm));
  // Weights stream from DRAM through the weight FIFO; the FIFO is not modelled as a level.
  arch.levels.push_back(make_dram(lib, a.text("dram"), 8, 64));
  arch.compute = make_compute(lib, "INT8", a.product({dim, dim}), dim, nm);
  return r;
}

}  // namespace

TemplateDef tpu_v1_template() {
  std::vector<TemplateParam> p{
      {"dim", "systolic array rows = columns (MACs = dim^2)", {}},
      {"ub_kib", "unified buffer KiB (24 MiB)", {}},
      {"acc_kib", "accumulator KiB (4 MiB of 32-bit words)", {}},
  };
  for (auto& c : common_params()) p.push_back(c);
  return {"tpu-v1",
          "TPU v1: a dim x dim weight-stationary array of INT8 MACs, a unified buffer for "
          "activations, 32-bit accumulators, weights streamed from DRAM",
          p, build};
}

}  // namespace coda::hw::detail
