// Fuzz target idx: the dataset readers of src/coda/datasets. The first byte picks the reader:
//   0: datasets::read_idx on the rest as a plain IDX file
//   1: the same, gzip-compressed first (the reader's zlib path, as Debian ships the files)
//   2: read_idx on the rest as written (a damaged or hand-made .gz)
//   3: load_fashion_mnist("test", limit) on a directory holding the rest's two parts
//      (images %%%% labels); limit from the second byte (255: all)
//   4: load_digits_graph on the rest as the digits CSV, k from the second byte
#include <zlib.h>

#include "coda/datasets/digits_graph.h"
#include "coda/datasets/fashion_mnist.h"
#include "fuzz_util.h"

namespace {

std::string gzip(const std::string& raw) {
  z_stream z{};
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::string out(deflateBound(&z, raw.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const int mode = in.byte() % 5;
  const int arg = in.byte();
  const fuzz::Scratch& scratch = fuzz::Scratch::get();
  scratch.clear();
  return fuzz::guarded([&] {
    using namespace coda::datasets;
    switch (mode) {
      case 0: read_idx(scratch.write("data.idx", in.rest())); break;
      case 1: read_idx(scratch.write("data.idx.gz", gzip(in.rest()))); break;
      case 2: read_idx(scratch.write("data.idx.gz", in.rest())); break;
      case 3: {
        std::vector<std::string> parts = fuzz::split_parts(in.rest(), 2);
        scratch.write("t10k-images-idx3-ubyte.gz", parts[0]);
        scratch.write("t10k-labels-idx1-ubyte.gz", parts.size() > 1 ? parts[1] : std::string());
        load_fashion_mnist("test", arg == 255 ? -1 : arg, scratch.dir().string());
        break;
      }
      default: load_digits_graph(scratch.write("digits.csv", in.rest()), arg % 40); break;
    }
  });
}
