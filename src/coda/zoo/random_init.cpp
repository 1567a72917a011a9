#include "coda/zoo/random_init.h"
#include "coda/core/random.h"

namespace coda::zoo {

namespace {

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001B3ull;
  return h;
}

}  // namespace

Tensor uniform_tensor(const Shape& shape, float lo, float hi, uint64_t seed, const std::string& name) {
  Tensor t(DType::f32, shape);
  float* p = t.data<float>();
  uint64_t state = splitmix64(seed ^ splitmix64(fnv1a(name)));
  const float span = hi - lo;
  for (int64_t i = 0; i < t.numel(); ++i) {
    state += 0x9E3779B97F4A7C15ull;
    uint64_t z = splitmix64(state);
    float u = static_cast<float>(z >> 40) * (1.0f / 16777216.0f);  // 24 random bits in [0, 1)
    p[i] = lo + span * u;
  }
  return t;
}

}  // namespace coda::zoo
