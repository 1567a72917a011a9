// Fuzz target explore_spec: the design-space YAML of `coda explore SPEC.yaml` through dse::parse_spec
// (which also builds every hardware knob value's template and checks the precision names), then what
// `coda explore` does with a spec before it evaluates anything: the variables, the optimizer and its
// first batch of points, their keys and JSON, the key -> point mapping used on resume, and the
// objectives as stored in the results database's meta.
#include <algorithm>

#include "coda/dse/space.h"
#include "coda/dse/store.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coda;
  return fuzz::guarded([&] {
    dse::ExploreSpec s = dse::parse_spec(std::string(reinterpret_cast<const char*>(data), size), "spec.yaml", "/fuzz");
    dse::parse_objectives(dse::objectives_text(s), "meta objectives");
    auto opt = dse::make_optimizer(s.optimizer, dse::variables(s), s.seed, {});
    for (const dse::Point& p : opt->ask(std::min<size_t>(s.batch, 8))) {
      dse::point_json(s, p);
      dse::point_of_key(s, dse::point_key(s, p));
    }
  });
}
