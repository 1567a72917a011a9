// Fuzz target npy: .npy bytes through coda::parse_npy (what `coda run --input X.npy` reads). A file
// that parses must survive format_npy -> parse_npy unchanged (dtype, shape and every byte).
#include <cstring>

#include "coda/core/npy.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz::guarded([&] {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    coda::Tensor t = coda::parse_npy(bytes, "fuzz.npy");
    coda::Tensor again = coda::parse_npy(coda::format_npy(t), "fuzz.npy (written back)");
    bool same = again.dtype() == t.dtype() && again.shape() == t.shape() && again.nbytes() == t.nbytes() &&
                (t.nbytes() == 0 || std::memcmp(again.raw(), t.raw(), t.nbytes()) == 0);
    if (!same) {
      std::fprintf(stderr, "fuzz: npy round trip changed the array (%s -> %s)\n", coda::shape_str(t.shape()).c_str(),
                   coda::shape_str(again.shape()).c_str());
      std::abort();
    }
  });
}
