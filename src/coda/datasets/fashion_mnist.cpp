#include "coda/datasets/fashion_mnist.h"

#include <algorithm>
#include <cstring>

#include "coda/datasets/gzip_file.h"

namespace coda::datasets {

namespace {

constexpr uint32_t kImagesMagic = 2051;  // u8 elements, 3 dims
constexpr uint32_t kLabelsMagic = 2049;  // u8 elements, 1 dim
constexpr int kSide = 28;
constexpr int kClasses = 10;

struct IdxFile {
  uint32_t magic = 0;
  Shape dims;   // as declared in the file
  Tensor data;  // the first `items` entries along dims[0] (all of them by default)
};

DType idx_dtype(uint8_t code) {
  switch (code) {
    case 0x08: return DType::u8;
    case 0x09: return DType::i8;
    case 0x0B: return DType::i16;
    case 0x0C: return DType::i32;
    case 0x0D: return DType::f32;
    case 0x0E: return DType::f64;
    default: return DType::undefined;
  }
}

uint32_t big_endian_u32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Reads the header and the first `max_items` entries (all if < 0; then trailing bytes are an error).
// A nonzero `want_magic` is checked before any data is read.
IdxFile read_idx_prefix(const std::string& path, int64_t max_items, uint32_t want_magic = 0, const char* what = "") {
  GzipFile f(path);
  IdxFile r;
  uint8_t magic[4];
  f.read_exact(magic, 4, "the IDX magic number");
  r.magic = big_endian_u32(magic);
  DType dtype = idx_dtype(magic[2]);
  if (magic[0] != 0 || magic[1] != 0 || dtype == DType::undefined || magic[3] == 0)
    throw ParseError(path, format("not an IDX file (magic number 0x%08x)", r.magic));
  if (want_magic && r.magic != want_magic)
    throw ParseError(path, format("magic number %u, expected %u for IDX %s", r.magic, want_magic, what));
  int ndims = magic[3];
  std::vector<uint8_t> dim_bytes(4 * static_cast<size_t>(ndims));
  f.read_exact(dim_bytes.data(), dim_bytes.size(), "the IDX dimensions");
  for (int i = 0; i < ndims; ++i) r.dims.push_back(big_endian_u32(&dim_bytes[4 * static_cast<size_t>(i)]));

  Shape shape = r.dims;
  if (max_items >= 0) shape[0] = std::min(shape[0], max_items);
  int64_t nbytes = static_cast<int64_t>(dtype_size(dtype));
  for (int64_t d : shape)
    if (__builtin_mul_overflow(nbytes, d, &nbytes))
      throw ParseError(path, format("dimensions %s are too large", shape_str(r.dims).c_str()));
  std::string bytes = f.read_up_to(static_cast<size_t>(nbytes));
  if (static_cast<int64_t>(bytes.size()) < nbytes)
    throw ParseError(path, format("truncated: dimensions %s need %lld data bytes, file has %zu",
                                  shape_str(r.dims).c_str(), static_cast<long long>(nbytes), bytes.size()));
  if (max_items < 0 && !f.at_end())
    throw ParseError(path, format("unexpected bytes after the data of dimensions %s", shape_str(r.dims).c_str()));

  r.data = Tensor(dtype, shape);
  auto* dst = static_cast<uint8_t*>(r.data.raw());
  size_t elem = dtype_size(dtype);
  for (size_t at = 0; at < bytes.size(); at += elem)  // big-endian on disk
    for (size_t b = 0; b < elem; ++b) dst[at + b] = static_cast<uint8_t>(bytes[at + elem - 1 - b]);
  return r;
}

}  // namespace

Tensor read_idx(const std::string& path) { return read_idx_prefix(path, -1).data; }

ImageSet load_fashion_mnist(const std::string& split, int64_t limit, const std::string& dir) {
  if (split != "train" && split != "test")
    throw InvalidError("load_fashion_mnist", format("unknown split '%s' (expected train or test)", split.c_str()));
  std::string prefix = dir + "/" + (split == "train" ? "train" : "t10k");
  std::string images_path = prefix + "-images-idx3-ubyte.gz", labels_path = prefix + "-labels-idx1-ubyte.gz";
  IdxFile images = read_idx_prefix(images_path, limit, kImagesMagic, "images");
  if (images.dims[1] != kSide || images.dims[2] != kSide)
    throw ParseError(images_path, format("images are %s, expected [N,28,28]", shape_str(images.dims).c_str()));
  IdxFile labels = read_idx_prefix(labels_path, limit, kLabelsMagic, "labels");
  if (labels.dims[0] != images.dims[0])
    throw ParseError(labels_path, format("%lld labels for %lld images in %s", static_cast<long long>(labels.dims[0]),
                                         static_cast<long long>(images.dims[0]), images_path.c_str()));

  int64_t n = images.data.dim(0);
  ImageSet set;
  set.images = Tensor(DType::f32, {n, 1, kSide, kSide});
  const uint8_t* px = images.data.data<uint8_t>();
  float* out = set.images.data<float>();
  for (int64_t i = 0; i < set.images.numel(); ++i) out[i] = static_cast<float>(px[i]) / 255.0f;
  const uint8_t* lab = labels.data.data<uint8_t>();
  set.labels.assign(lab, lab + n);
  for (int64_t i = 0; i < n; ++i)
    if (set.labels[i] >= kClasses)
      throw ParseError(labels_path, format("label %d of item %lld is not a class in 0..9", set.labels[i],
                                           static_cast<long long>(i)));
  return set;
}

}  // namespace coda::datasets
