#include "coda/exec/activation.h"

#include <limits>

namespace coda::exec::kern {

Activation fused_activation(const Node& n) {
  Activation a;
  if (!n.has("_activation")) return a;
  std::string k = n.s("_activation", "");
  if (k == "Relu") {
    a.kind = Activation::Kind::relu;
  } else if (k == "LeakyRelu") {
    a.kind = Activation::Kind::leaky_relu;
    a.alpha = n.f("_activation_alpha", 0.01f);
  } else if (k == "Clip") {
    a.kind = Activation::Kind::clip;
    a.lo = n.f("_activation_min", std::numeric_limits<float>::lowest());
    a.hi = n.f("_activation_max", std::numeric_limits<float>::max());
  } else {
    unsupported(n, "fused activation '%s' is not supported", k.c_str());
  }
  return a;
}

}  // namespace coda::exec::kern
