// Fuzz target timeloop_yaml: Timeloop v0.3 inputs as `coda evaluate --timeloop` and `coda map
// --timeloop` read them. The input is up to 6 YAML files separated by lines "%%%%" (problem,
// architecture, mapping, ERT, ART, constraints, mapper, in any order: map::load_timeloop_inputs tells
// them apart by their keys), written to a scratch directory and loaded from there.
// With a mapping, it is costed (map::evaluate), printed as map.txt and as YAML, and the YAML must
// parse again. Without one, the mapper searches a few dozen mappings under the files' constraints
// (for problems of at most 2^16 MACs).
// The problem must survive to_timeloop_yaml -> parse_timeloop_problem.
#include "coda/map/evaluator.h"
#include "coda/map/map_txt.h"
#include "coda/map/mapping_yaml.h"
#include "coda/map/report.h"
#include "coda/map/timeloop_inputs.h"
#include "coda/workload/timeloop_yaml.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coda;
  const fuzz::Scratch& scratch = fuzz::Scratch::get();
  std::vector<std::string> parts = fuzz::split_parts(std::string_view(reinterpret_cast<const char*>(data), size), 6);
  std::vector<std::string> paths;
  for (size_t i = 0; i < parts.size(); ++i) paths.push_back(scratch.write("in" + std::to_string(i) + ".yaml", parts[i]));
  return fuzz::guarded([&] {
    map::LoadOptions lo;
    lo.ert.per_action = !parts[0].empty() && (parts[0][0] & 1);
    map::TimeloopInputs in = map::load_timeloop_inputs(paths, lo);
    std::string prob = workload::to_timeloop_yaml(in.problem);
    try {
      workload::parse_timeloop_problem(prob, "problem (written back)");
    } catch (const Error& e) {
      std::fprintf(stderr, "fuzz: to_timeloop_yaml wrote a problem that does not parse: %s\n---\n%s\n", e.what(), prob.c_str());
      std::abort();
    }
    if (in.mapping) {
      map::Cost c = map::evaluate(in.problem, in.arch, *in.mapping);
      map::to_map_txt(in.problem, in.arch, *in.mapping);
      if (c.status.ok()) map::format_cost(c, in.problem, in.arch);
      std::string again = map::to_timeloop_mapping_yaml(*in.mapping, in.problem, in.arch);
      try {
        map::parse_timeloop_mapping(again, in.problem, in.arch, "mapping (written back)");
      } catch (const Error& e) {
        std::fprintf(stderr, "fuzz: to_timeloop_mapping_yaml wrote a mapping that does not parse: %s\n---\n%s\n",
                     e.what(), again.c_str());
        std::abort();
      }
    } else if (in.problem.macs() <= 1 << 16) {  // the mapper's setup grows with the problem: small ones only
      map::MapperOptions o = in.mapper;
      o.threads = 1;
      o.exhaustive_limit = std::min<uint64_t>(o.exhaustive_limit, 64);
      o.samples = std::min<uint64_t>(o.samples, 32);
      o.refine_steps = std::min<uint64_t>(o.refine_steps, 32);
      map::Mapper(in.problem, in.arch, in.constraints, o).run();
    }
  });
}
