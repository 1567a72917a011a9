#include "coda/graph/ops.h"

namespace coda::graph {

const char* op_name(OpKind k) {
  switch (k) {
#define CODA_X(name) case OpKind::name: return #name;
    CODA_FOR_EACH_OP(CODA_X)
#undef CODA_X
    default: return "Unknown";
  }
}

OpKind op_from_name(std::string_view n) {
#define CODA_X(name) if (n == #name) return OpKind::name;
  CODA_FOR_EACH_OP(CODA_X)
#undef CODA_X
  return OpKind::Unknown;
}

}  // namespace coda::graph
