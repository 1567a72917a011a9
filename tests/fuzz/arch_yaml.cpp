// Fuzz target arch_yaml: the ARCH argument of `coda map` / `coda carbon` / `coda explore`. The first
// byte picks the form:
//   even: a YAML file (coda's schema or Timeloop's tree, hw::load_any). An architecture in coda's
//         schema must come back equal through hw::to_yaml -> hw::load (arch_yaml.h's promise);
//   odd:  a template spec such as "gemmini?dim=32&sp_kib=512" (hw::build_template_full), the rest's
//         first line.
// Every architecture that loads is then handed to the mapper with a 4x4x4 GEMM and a search of a
// few dozen mappings, as `coda map` would.
#include "coda/hw/arch_yaml.h"
#include "coda/hw/templates.h"
#include "coda/map/constraints.h"
#include "coda/map/mapper.h"
#include "coda/workload/problem_shapes.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coda;
  static const hw::ComponentLibrary lib = hw::load_components();
  fuzz::Input in(data, size);
  const bool yaml = in.byte() % 2 == 0;
  return fuzz::guarded([&] {
    std::string text = in.rest();
    hw::Architecture a;
    if (yaml) {
      a = hw::load_any(text, "arch.yaml");
      if (hw::is_coda_schema(text, "arch.yaml")) {
        std::string again = hw::to_yaml(a);
        hw::Architecture b;
        try {
          b = hw::load(again, "arch.yaml (written back)");
        } catch (const Error& e) {
          std::fprintf(stderr, "fuzz: hw::to_yaml wrote what hw::load rejects: %s\n---\n%s\n", e.what(), again.c_str());
          std::abort();
        }
        if (!(b == a)) {
          std::fprintf(stderr, "fuzz: hw::load(hw::to_yaml(a)) != a\n---\n%s\n", again.c_str());
          std::abort();
        }
      }
    } else {
      a = hw::build_template_full(text.substr(0, text.find('\n')), lib).arch;
    }
    if (a.num_levels() > 6) return;
    workload::Problem p = workload::gemm_problem({.M = 4, .N = 4, .K = 4});
    map::Constraints c = map::from_architecture(p, a);
    map::MapperOptions o;
    o.threads = 1;
    o.exhaustive_limit = 64;
    o.samples = 32;
    o.refine_steps = 32;
    map::Mapper(p, a, c, o).run();
  });
}
