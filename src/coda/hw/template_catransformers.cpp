// The `catransformers` template: CATransformers' tensor-core accelerator. `clusters` tensor cores, each
// a width x depth INT8 MAC array with an L1 register file per PE and an L2 SRAM per core, under a
// shared global buffer; 22 nm, 625 MHz. The parameter values are the paper's search space.
#include "coda/hw/templates_impl.h"

namespace coda::hw::detail {

namespace {

TemplateResult build(const TemplateArgs& a, const ComponentLibrary& lib) {
  double nm = a.number("technology_nm");
  int64_t clusters = a.integer("clusters"), width = a.integer("width"), depth = a.integer("depth");
  int64_t macs = a.product({clusters, width, depth});
  TemplateResult r;
  Architecture& arch = r.arch;
  arch.name = "catransformers";
  arch.levels.push_back(make_level(lib,
                                   {.name = "L1", .kind = "regfile", .capacity_words = a.integer("l1_bytes"),
                                    .word_bits = 8, .instances = macs, .mesh_x = clusters * width},
                                   nm));
  double l2_bw = static_cast<double>(a.integer("l2_bw"));
  arch.levels.push_back(make_level(lib,
                                   {.name = "L2", .capacity_words = a.integer("l2_kib") * kKiB, .word_bits = 8,
                                    .block_size = static_cast<int>(a.integer("l2_bw")), .instances = clusters,
                                    .mesh_x = clusters, .read_bandwidth = l2_bw, .write_bandwidth = l2_bw},
                                   nm));
  arch.levels.push_back(make_level(lib,
                                   {.name = "GlobalBuffer", .capacity_words = a.integer("glb_mib") * kKiB * kKiB,
                                    .word_bits = 8, .block_size = 64, .banks = 16},
                                   nm));
  arch.levels.push_back(make_dram(lib, a.text("dram"), 8, 64));
  arch.compute = make_compute(lib, "INT8", macs, clusters * width, nm);
  return r;
}

}  // namespace

TemplateDef catransformers_template() {
  std::vector<TemplateParam> p{
      {"clusters", "tensor cores (CLUSTER_NUM)", {}},
      {"width", "MAC array width per core (WIDTH)", {}},
      {"depth", "MAC array depth per core (DEPTH)", {}},
      {"l2_kib", "L2 SRAM KiB per core (L2_SRAM)", {}},
      {"l2_bw", "L2 bandwidth, INT8 words per cycle (L2_BW)", {}},
      {"glb_mib", "global buffer MiB (GLB)", {}},
      {"l1_bytes", "L1 register file bytes per PE (coda's choice)", {}},
  };
  for (auto& c : common_params()) p.push_back(c);
  return {"catransformers",
          "CATransformers accelerator: clusters tensor cores of width x depth INT8 MACs, an L1 "
          "register file per PE, an L2 SRAM per core, a shared global buffer",
          p, build};
}

}  // namespace coda::hw::detail
