// Fashion-MNIST and the IDX file format it is stored in.
//
// load_fashion_mnist reads the gzipped IDX files Debian's dataset-fashion-mnist installs and scales
// pixels exactly as the Python trainer does (float32 byte / 255.0f, no mean/std normalisation).
// A missing file raises IoError; a malformed, truncated or mismatched one raises ParseError naming it.
//
//   ImageSet test = load_fashion_mnist("test");          // images f32 [10000,1,28,28], labels 0..9
//   ImageSet few = load_fashion_mnist("train", 256);      // the first 256 training images only
//   Tensor raw = read_idx("/path/t10k-labels-idx1-ubyte.gz");   // u8 [10000]
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "coda/core/tensor.h"

namespace coda::datasets {

struct ImageSet {
  Tensor images;            // f32 [N,1,28,28], pixel / 255
  std::vector<int> labels;  // N class indices in 0..9
};

// Reads split "train" (60000 images) or "test" (10000) from `dir`; `limit` >= 0 keeps only the first
// `limit` images (and reads no further). An unknown split raises InvalidError.
ImageSet load_fashion_mnist(const std::string& split, int64_t limit = -1,
                            const std::string& dir = "/usr/share/datasets/fashion-mnist");

// Reads any IDX file (gzipped or plain): u8, i8, i16, i32, f32 or f64 elements, big-endian on disk.
Tensor read_idx(const std::string& path);

}  // namespace coda::datasets
