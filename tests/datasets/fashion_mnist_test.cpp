// Fashion-MNIST and IDX reading: the real Debian files (expected values read with Python's gzip + numpy),
// IDX element types, and damaged files made in a temp dir, which must raise ParseError naming the file.
#include "coda/datasets/fashion_mnist.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace coda::datasets {
namespace {

const std::string kDir = "/usr/share/datasets/fashion-mnist";

namespace fs = std::filesystem;

// A fresh directory per test, removed by the fixture.
class FashionFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("coda_fashion_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void write_gz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  if (!bytes.empty()) {
    ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), int(bytes.size()));
  }
  gzclose(f);
}

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

// An IDX header: magic 0,0,type,ndims then big-endian dims.
std::string idx_header(uint8_t type, const std::vector<uint32_t>& dims) {
  std::string h = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims) h += be32(d);
  return h;
}

// Runs f, expecting a ParseError whose where() is `file` and whose message contains `what`.
template <class F> void expect_parse_error(F&& f, const std::string& file, const std::string& what) {
  try {
    f();
    ADD_FAILURE() << "no error, expected: " << what;
  } catch (const ParseError& e) {
    EXPECT_EQ(e.where(), file) << e.what();
    EXPECT_NE(e.message().find(what), std::string::npos) << e.what() << "\n  expected: " << what;
  }
}

TEST(FashionMnist, TestSplitMatchesPython) {
  ImageSet s = load_fashion_mnist("test");
  ASSERT_EQ(s.images.dtype(), DType::f32);
  ASSERT_EQ(s.images.shape(), (Shape{10000, 1, 28, 28}));
  ASSERT_EQ(s.labels.size(), 10000u);
  std::vector<int> hist(10, 0);
  for (int y : s.labels) hist.at(static_cast<size_t>(y))++;
  EXPECT_EQ(hist, std::vector<int>(10, 1000));
  EXPECT_EQ(std::vector<int>(s.labels.begin(), s.labels.begin() + 10), (std::vector<int>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}));
  EXPECT_EQ(s.labels[9999], 5);

  // Row 14 of the first and last images, as bytes read by Python.
  const std::vector<int> first_row14 = {0,  0,   0,   0,   0,   0,   2,   4,   1,   0,   0,   0,   98,  136,
                                        110, 109, 110, 162, 135, 144, 149, 159, 167, 144, 158, 169, 119, 0};
  const std::vector<int> last_row14 = {0,  0,   1,   0,   4,   71,  32,  37,  45,  45,  69,  128, 100, 120,
                                       132, 123, 135, 171, 179, 161, 127, 122, 183, 100, 39,  68,  76,  0};
  const float* x = s.images.data<float>();
  for (int c = 0; c < 28; ++c) {
    EXPECT_EQ(x[14 * 28 + c], static_cast<float>(first_row14[c]) / 255.0f) << c;
    EXPECT_EQ(x[9999 * 784 + 14 * 28 + c], static_cast<float>(last_row14[c]) / 255.0f) << c;
  }
  int64_t sum_first = 0, sum_all = 0;
  for (int64_t i = 0; i < s.images.numel(); ++i) {
    int64_t byte = std::lround(x[i] * 255.0f);
    sum_all += byte;
    if (i < 784) sum_first += byte;
  }
  EXPECT_EQ(sum_first, 33456);
  EXPECT_EQ(sum_all, 573469082);
  // crc32 of numpy's (img.astype(float32) / float32(255)) for the first 100 images: the same bits.
  EXPECT_EQ(crc32(0, reinterpret_cast<const Bytef*>(x), 100 * 784 * sizeof(float)), 4226180396u);
}

TEST(FashionMnist, TrainLimitReadsThePrefix) {
  ImageSet s = load_fashion_mnist("train", 3);
  ASSERT_EQ(s.images.shape(), (Shape{3, 1, 28, 28}));
  EXPECT_EQ(s.labels, (std::vector<int>{9, 0, 0}));
  const float* x = s.images.data<float>();
  EXPECT_EQ(x[14 * 28 + 12], 237.0f / 255.0f);
  EXPECT_EQ(x[14 * 28 + 25], 1.0f);  // byte 255
  EXPECT_EQ(load_fashion_mnist("test", 0).labels.size(), 0u);
  EXPECT_EQ(load_fashion_mnist("test", 20000).labels.size(), 10000u);
}

TEST(FashionMnist, ReadIdxLabels) {
  Tensor t = read_idx(kDir + "/t10k-labels-idx1-ubyte.gz");
  EXPECT_EQ(t.dtype(), DType::u8);
  EXPECT_EQ(t.shape(), Shape{10000});
  EXPECT_EQ(t.data<uint8_t>()[0], 9);
}

TEST(FashionMnist, BadSplitAndMissingFiles) {
  EXPECT_THROW(load_fashion_mnist("validation"), InvalidError);
  try {
    load_fashion_mnist("test", -1, "/nonexistent-dir");
    ADD_FAILURE();
  } catch (const IoError& e) {
    EXPECT_EQ(e.where(), "/nonexistent-dir/t10k-images-idx3-ubyte.gz");
  }
}

TEST_F(FashionFiles, ReadIdxElementTypes) {
  // i32 [2,2] and f32 [3], big-endian, plus an uncompressed file (zlib reads it transparently).
  write_gz(path("i32.idx.gz"), idx_header(0x0C, {2, 2}) + be32(1) + be32(0xFFFFFFFF) + be32(0x7FFFFFFF) + be32(256));
  Tensor a = read_idx(path("i32.idx.gz"));
  EXPECT_EQ(a.shape(), (Shape{2, 2}));
  EXPECT_EQ(a.to_i64_vector(), (std::vector<int64_t>{1, -1, 2147483647, 256}));
  write_file(path("f32.idx"), idx_header(0x0D, {3}) + be32(0x3FC00000) + be32(0xC0200000) + be32(0));
  Tensor b = read_idx(path("f32.idx"));
  EXPECT_EQ(b.to_f32_vector(), (std::vector<float>{1.5f, -2.5f, 0.f}));
  write_gz(path("i16.idx.gz"), idx_header(0x0B, {2}) + std::string("\xff\xfe\x01\x02", 4));
  EXPECT_EQ(read_idx(path("i16.idx.gz")).to_i64_vector(), (std::vector<int64_t>{-2, 258}));
}

TEST_F(FashionFiles, TruncatedGzip) {
  std::string gz = slurp(kDir + "/t10k-labels-idx1-ubyte.gz");
  write_file(path("cut.gz"), gz.substr(0, gz.size() / 2));
  expect_parse_error([&] { read_idx(path("cut.gz")); }, path("cut.gz"), "truncated");
}

TEST_F(FashionFiles, CorruptGzip) {
  std::string gz = slurp(kDir + "/t10k-labels-idx1-ubyte.gz");
  for (size_t i = gz.size() / 2; i < gz.size() / 2 + 64; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5a);
  write_file(path("bad.gz"), gz);
  expect_parse_error([&] { read_idx(path("bad.gz")); }, path("bad.gz"), "corrupt");
}

TEST_F(FashionFiles, TruncatedIdxData) {
  write_gz(path("short.gz"), idx_header(0x08, {10, 28, 28}) + std::string(100, '\0'));
  expect_parse_error([&] { read_idx(path("short.gz")); }, path("short.gz"),
                     "truncated: dimensions [10,28,28] need 7840 data bytes, file has 100");
  write_gz(path("hdr.gz"), std::string("\0\0\x08\x03\0\0", 6));
  expect_parse_error([&] { read_idx(path("hdr.gz")); }, path("hdr.gz"), "file ends inside the IDX dimensions");
  write_gz(path("empty.gz"), "");
  expect_parse_error([&] { read_idx(path("empty.gz")); }, path("empty.gz"), "file ends inside the IDX magic");
}

TEST_F(FashionFiles, TrailingBytesAndBadMagic) {
  write_gz(path("long.gz"), idx_header(0x08, {2}) + "abc");
  expect_parse_error([&] { read_idx(path("long.gz")); }, path("long.gz"), "unexpected bytes after the data");
  write_gz(path("text.gz"), "hello world");
  expect_parse_error([&] { read_idx(path("text.gz")); }, path("text.gz"), "not an IDX file");
  write_gz(path("type.gz"), idx_header(0x0A, {1}) + "x");
  expect_parse_error([&] { read_idx(path("type.gz")); }, path("type.gz"), "not an IDX file (magic number 0x00000a01)");
}

TEST_F(FashionFiles, AbsurdDimensionsDoNotAllocate) {
  write_gz(path("huge.gz"), idx_header(0x0E, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}));
  expect_parse_error([&] { read_idx(path("huge.gz")); }, path("huge.gz"), "too large");
  write_gz(path("big.gz"), idx_header(0x08, {0xFFFFFFFF, 0xFFFF}) + "abc");
  expect_parse_error([&] { read_idx(path("big.gz")); }, path("big.gz"), "file has 3");
}

// Writes a Fashion-MNIST-like pair of files into the temp dir for the "test" split.
class FakeSplit : public FashionFiles {
 protected:
  std::string images() const { return path("t10k-images-idx3-ubyte.gz"); }
  std::string labels() const { return path("t10k-labels-idx1-ubyte.gz"); }
  void write(uint32_t n_images, uint32_t side, uint32_t n_labels, char label = 3) {
    write_gz(images(), idx_header(0x08, {n_images, side, side}) + std::string(n_images * side * side, '\x80'));
    write_gz(labels(), idx_header(0x08, {n_labels}) + std::string(n_labels, label));
  }
};

TEST_F(FakeSplit, ReadsAValidSmallSplit) {
  write(2, 28, 2);
  ImageSet s = load_fashion_mnist("test", -1, dir_.string());
  EXPECT_EQ(s.labels, (std::vector<int>{3, 3}));
  EXPECT_EQ(s.images.data<float>()[100], 128.0f / 255.0f);
}

TEST_F(FakeSplit, CountMismatch) {
  write(3, 28, 2);
  expect_parse_error([&] { load_fashion_mnist("test", -1, dir_.string()); }, labels(), "2 labels for 3 images");
}

TEST_F(FakeSplit, WrongImageSize) {
  write(2, 32, 2);
  expect_parse_error([&] { load_fashion_mnist("test", -1, dir_.string()); }, images(),
                     "images are [2,32,32], expected [N,28,28]");
}

TEST_F(FakeSplit, LabelOutOfRange) {
  write(2, 28, 2, 10);
  expect_parse_error([&] { load_fashion_mnist("test", -1, dir_.string()); }, labels(), "label 10 of item 0");
}

TEST_F(FakeSplit, SwappedFilesGiveMagicError) {
  write(2, 28, 2);
  fs::rename(images(), path("tmp"));
  fs::rename(labels(), images());
  fs::rename(path("tmp"), labels());
  expect_parse_error([&] { load_fashion_mnist("test", -1, dir_.string()); }, images(),
                     "magic number 2049, expected 2051 for IDX images");
}

}  // namespace
}  // namespace coda::datasets
