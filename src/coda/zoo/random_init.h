// Deterministic random weights for the zoo: a tensor's values depend only on (seed, tensor name).
//
// Seeding by name keeps a layer's weights the same when other layers are added or removed
// (bert-base?layers=1 has the same first layer as layers=12). Uses splitmix64, so the bits do not
// depend on the standard library.
//
//   Tensor w = uniform_tensor({64, 3, 7, 7}, -0.1f, 0.1f, seed, "conv1.weight");
#pragma once
#include <cstdint>
#include <string>

#include "coda/core/tensor.h"

namespace coda::zoo {

// float32 values uniform in [lo, hi).
Tensor uniform_tensor(const Shape& shape, float lo, float hi, uint64_t seed, const std::string& name);

}  // namespace coda::zoo
