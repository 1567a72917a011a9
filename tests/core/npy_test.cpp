// .npy reading and writing: files written by NumPy (tests/data/npy/make_npy.py, values asserted here),
// round trips for every dtype, byte-identical output to numpy.save, and every kind of bad input.
#include "coda/core/npy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include <unistd.h>

namespace coda {
namespace {

std::string fixture(const std::string& name) { return std::string(CODA_SOURCE_DIR) + "/tests/data/npy/" + name; }

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A fresh temp directory per test, removed afterwards.
class NpyFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("coda_npy_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string temp_path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

template <class T> std::vector<T> values(const Tensor& t) {
  const T* p = t.data<T>();
  return std::vector<T>(p, p + t.numel());
}

// Expects a ParseError whose text names `where` and contains `what`.
void expect_parse_error(const std::string& bytes, const std::string& what) {
  try {
    parse_npy(bytes, "case.npy");
    ADD_FAILURE() << "no error, expected: " << what;
  } catch (const ParseError& e) {
    EXPECT_EQ(e.where(), "case.npy");
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what() << "\n  expected: " << what;
  }
}

// A well-formed v1.0 file with the given header dict and data bytes.
std::string npy_bytes(const std::string& dict, const std::string& data) {
  std::string h = dict + "\n";
  std::string out = std::string("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(h.size() & 0xff);
  out += static_cast<char>(h.size() >> 8);
  return out + h + data;
}

TEST(NpyRead, NumpyFloat32Matrix) {
  Tensor t = read_npy(fixture("f32_2x3.npy"));
  EXPECT_EQ(t.dtype(), DType::f32);
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<float>(t), (std::vector<float>{1.5f, -2.25f, 3.f, 0.f, 1e-3f, -7e6f}));
}

TEST(NpyRead, NumpyFloat64) {
  Tensor t = read_npy(fixture("f64_3.npy"));
  EXPECT_EQ(t.dtype(), DType::f64);
  EXPECT_EQ(values<double>(t), (std::vector<double>{0.1, -1e300, 2.5}));
}

TEST(NpyRead, NumpyIntegers) {
  Tensor a = read_npy(fixture("i64_2x2.npy"));
  EXPECT_EQ(a.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<int64_t>(a),
            (std::vector<int64_t>{-9007199254740993LL, 1, 2, std::numeric_limits<int64_t>::max()}));
  EXPECT_EQ(values<int32_t>(read_npy(fixture("i32_3.npy"))),
            (std::vector<int32_t>{std::numeric_limits<int32_t>::min(), 0, 2147483647}));
  EXPECT_EQ(values<int16_t>(read_npy(fixture("i16_3.npy"))), (std::vector<int16_t>{-32768, 123, 32767}));
  EXPECT_EQ(values<int8_t>(read_npy(fixture("i8_4.npy"))), (std::vector<int8_t>{-128, -1, 0, 127}));
  Tensor u8 = read_npy(fixture("u8_2x2.npy"));
  EXPECT_EQ(u8.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<uint8_t>(u8), (std::vector<uint8_t>{0, 255, 17, 128}));
  EXPECT_EQ(values<uint16_t>(read_npy(fixture("u16_2.npy"))), (std::vector<uint16_t>{0, 65535}));
  EXPECT_EQ(values<uint32_t>(read_npy(fixture("u32_2.npy"))), (std::vector<uint32_t>{1, 4294967295u}));
  EXPECT_EQ(values<uint64_t>(read_npy(fixture("u64_2.npy"))),
            (std::vector<uint64_t>{2, std::numeric_limits<uint64_t>::max()}));
}

TEST(NpyRead, NumpyBool) {
  Tensor t = read_npy(fixture("bool_3.npy"));
  EXPECT_EQ(t.dtype(), DType::boolean);
  EXPECT_EQ(values<bool>(t), (std::vector<bool>{true, false, true}));
}

TEST(NpyRead, NumpyScalarAndZeroSize) {
  Tensor s = read_npy(fixture("f64_scalar.npy"));
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.data<double>()[0], 3.25);
  Tensor z = read_npy(fixture("f32_0x3.npy"));
  EXPECT_EQ(z.dtype(), DType::f32);
  EXPECT_EQ(z.shape(), (Shape{0, 3}));
  EXPECT_EQ(z.numel(), 0);
}

TEST(NpyRead, NumpyVersions2And3) {
  Tensor a = read_npy(fixture("i32_2x1x2_v2.npy"));
  EXPECT_EQ(a.shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(values<int32_t>(a), (std::vector<int32_t>{1, 2, 3, 4}));
  Tensor b = read_npy(fixture("f32_2_v3.npy"));
  EXPECT_EQ(values<float>(b), (std::vector<float>{-0.5f, 8.f}));
}

TEST(NpyWrite, ByteIdenticalToNumpySave) {
  for (const char* name : {"f32_2x3.npy", "f64_3.npy", "i64_2x2.npy", "i32_3.npy", "i16_3.npy", "i8_4.npy",
                           "u8_2x2.npy", "u16_2.npy", "u32_2.npy", "u64_2.npy", "bool_3.npy", "f64_scalar.npy",
                           "f32_0x3.npy"}) {
    std::string bytes = slurp(fixture(name));
    EXPECT_EQ(format_npy(parse_npy(bytes, name)), bytes) << name;
  }
}

TEST_F(NpyFiles, RoundTripEveryDtype) {
  for (DType dt : {DType::f32, DType::f64, DType::i64, DType::i32, DType::i16, DType::i8, DType::u8, DType::u16,
                   DType::u32, DType::u64, DType::boolean}) {
    for (const Shape& shape : {Shape{}, Shape{5}, Shape{2, 3, 4}, Shape{3, 0}}) {
      Tensor t(dt, shape);
      visit_dtype(dt, [&](auto tag) {
        using T = typename decltype(tag)::type;
        T* p = t.data<T>();
        for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<T>((i * 37 + 11) % 251 - (i % 2 ? 100 : 0));
      });
      std::string path = temp_path(std::string(dtype_name(dt)) + ".npy");
      write_npy(path, t);
      Tensor back = read_npy(path);
      ASSERT_EQ(back.dtype(), dt);
      ASSERT_EQ(back.shape(), shape);
      for (int64_t i = 0; i < t.numel(); ++i) EXPECT_EQ(back.get_f64(i), t.get_f64(i)) << dtype_name(dt) << " " << i;
    }
  }
}

TEST(NpyWrite, KeepsFloatBitsExactly) {
  Tensor t = Tensor::from_vector<float>(
      {std::numeric_limits<float>::denorm_min(), -0.f, std::numeric_limits<float>::infinity(), 1.f / 3.f}, {4});
  Tensor back = parse_npy(format_npy(t), "mem");
  EXPECT_EQ(std::memcmp(back.raw(), t.raw(), t.nbytes()), 0);
  EXPECT_TRUE(std::signbit(back.data<float>()[1]));
}

TEST_F(NpyFiles, UndefinedTensorAndUnwritablePath) {
  EXPECT_THROW(write_npy(temp_path("undefined.npy"), Tensor()), InvalidError);
  EXPECT_THROW(write_npy("/nonexistent-dir/x.npy", Tensor(DType::f32, {1})), IoError);
}

TEST(NpyError, MissingFileIsIoError) {
  try {
    read_npy("/nonexistent-dir/missing.npy");
    ADD_FAILURE();
  } catch (const IoError& e) {
    EXPECT_EQ(e.where(), "/nonexistent-dir/missing.npy");
  }
  EXPECT_THROW(read_npy(CODA_SOURCE_DIR), IoError);
}

TEST(NpyError, NumpyFilesCodaRejects) {
  struct Case { const char* file; const char* what; };
  for (Case c : {Case{"bad_fortran.npy", "fortran_order True"}, Case{"bad_big_endian.npy", "'>f4' (big-endian"},
                 Case{"bad_complex.npy", "unsupported dtype '<c8'"}, Case{"bad_object.npy", "unsupported dtype '|O'"},
                 Case{"bad_float16.npy", "unsupported dtype '<f2'"}}) {
    try {
      read_npy(fixture(c.file));
      ADD_FAILURE() << c.file;
    } catch (const ParseError& e) {
      EXPECT_EQ(e.where(), fixture(c.file));
      EXPECT_NE(e.message().find(c.what), std::string::npos) << e.what();
    }
  }
}

TEST(NpyError, BadMagicAndVersion) {
  expect_parse_error("", "bad magic");
  expect_parse_error("PK\x03\x04 this is a zip", "bad magic");
  expect_parse_error(std::string("\x93NUMPY\x04\x00", 8) + "xx", "version 4.0");
}

TEST(NpyError, TruncatedHeader) {
  std::string good = slurp(fixture("f32_2x3.npy"));
  expect_parse_error(good.substr(0, 9), "truncated header");
  expect_parse_error(good.substr(0, 40), "truncated header (118 bytes declared, 30 present)");
  std::string v2 = slurp(fixture("i32_2x1x2_v2.npy"));
  expect_parse_error(v2.substr(0, 11), "truncated header");
}

TEST(NpyError, MalformedHeaders) {
  expect_parse_error(npy_bytes("{'descr': '<f4', 'fortran_order': False}", ""), "needs the keys");
  expect_parse_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", ""),
                     "unsupported value for 'x'");
  expect_parse_error(npy_bytes("{'descr': '<f4', 'fortran_order': 0, 'shape': ()}", ""), "unsupported value");
  expect_parse_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': 'a'}", ""), "must be a tuple");
  expect_parse_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", ""), "negative");
  expect_parse_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}", ""), "expected ','");
  expect_parse_error(npy_bytes("{'descr': '<f4, 'fortran_order': False, 'shape': ()}", ""), "expected ',' or '}'");
  expect_parse_error(npy_bytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': ()}", ""), "structured");
  expect_parse_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': ()} junk", ""), "after the header");
  expect_parse_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", ""),
                     "dimension too large");
  expect_parse_error(npy_bytes("{'descr': '<U3', 'fortran_order': False, 'shape': ()}", ""), "unsupported dtype");
  expect_parse_error(npy_bytes("{'descr': '|f4', 'fortran_order': False, 'shape': ()}", ""), "bad byte order");
}

TEST(NpyError, DataShorterOrLongerThanShape) {
  std::string good = slurp(fixture("f32_2x3.npy"));
  expect_parse_error(good.substr(0, good.size() - 1), "data truncated: shape [2,3] of <f4 needs 24 bytes, file has 23");
  expect_parse_error(good + "x", "1 unexpected bytes after the data");
}

TEST(NpyError, AbsurdShapesDoNotAllocate) {
  // 2^62 * 4 bytes overflows int64; 2^40 floats fit the count but not the (empty) file.
  expect_parse_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,)}", ""),
                     "byte count overflows");
  expect_parse_error(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}", ""),
                     "byte count overflows");
  expect_parse_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776,)}", ""),
                     "data truncated");
  // A zero dimension makes any other dimension harmless: numel 0, no data.
  Tensor z = parse_npy(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 1099511627776)}", ""), "z");
  EXPECT_EQ(z.numel(), 0);
}

}  // namespace
}  // namespace coda
