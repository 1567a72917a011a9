// Fuzz target quant_plan: quantization-plan YAML (`coda quantize --plan PLAN.yaml`) through
// quant::apply_plan_text on top of the command line's defaults. Every format the plan sets must
// read back from its canonical name (number_format.h's promise) and quantize a small [8,64] weight.
#include "coda/quant/number_format.h"
#include "coda/quant/plan.h"
#include "coda/quant/quantize.h"
#include "fuzz_util.h"

namespace {

void use(const coda::quant::NumberFormat& f) {
  using namespace coda;
  std::string name = quant::format_name(f);
  quant::NumberFormat again;
  try {
    again = quant::parse_format(name);
  } catch (const Error& e) {
    std::fprintf(stderr, "fuzz: format_name wrote '%s', which parse_format rejects: %s\n", name.c_str(), e.what());
    std::abort();
  }
  if (!(again == f)) {
    std::fprintf(stderr, "fuzz: parse_format(format_name(f)) != f for '%s'\n", name.c_str());
    std::abort();
  }
  static const Tensor w = [] {
    Tensor t(DType::f32, {8, 64});
    for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>((i * 37) % 101 - 50) / 16.0f;
    return t;
  }();
  quant::fake_quantize(w, f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coda;
  return fuzz::guarded([&] {
    quant::PtqOptions o;
    quant::apply_plan_text(std::string(reinterpret_cast<const char*>(data), size), "plan.yaml", o);
    use(o.weights);
    if (o.acts) use(*o.acts);
    for (const auto& [name, s] : o.layers) {
      if (s.weights) use(*s.weights);
      if (s.acts) use(*s.acts);
    }
  });
}
