// Memory limits: sizes parse and print, tensor storage is counted while it lives, and an allocation
// past the limit raises ResourceError naming the sizes (never the kernel's OOM killer).
#include <gtest/gtest.h>

#include "coda/core/memory.h"
#include "coda/core/tensor.h"

namespace coda {
namespace {

TEST(Memory, ParsesAndFormatsSizes) {
  EXPECT_EQ(parse_size("123", "x"), 123u);
  EXPECT_EQ(parse_size("512K", "x"), 512u * 1024);
  EXPECT_EQ(parse_size("64M", "x"), 64ull << 20);
  EXPECT_EQ(parse_size("4G", "x"), 4ull << 30);
  EXPECT_EQ(parse_size("1.5GiB", "x"), 3ull << 29);
  EXPECT_EQ(parse_size("2tb", "x"), 2ull << 40);
  for (const char* bad : {"", "0", "-1G", "4X", "G", "nan", "1e30T", "4 G B"}) EXPECT_THROW(parse_size(bad, "x"), InvalidError) << bad;
  EXPECT_EQ(format_bytes(100), "100 B");
  EXPECT_EQ(format_bytes(3ull << 29), "1.5 GiB");
  EXPECT_GT(physical_memory_bytes(), 0u);
  EXPECT_LE(memory_limit_bytes(), physical_memory_bytes());
}

TEST(Memory, TensorsCountWhileTheyLiveAndStopAtTheLimit) {
  const uint64_t base = tensor_bytes_in_use();
  {
    Tensor t(DType::f32, {1024, 1024});  // 4 MiB (+ alignment padding)
    EXPECT_GE(tensor_bytes_in_use() - base, 4u << 20);
    Tensor shared = t;  // shares storage: not counted again
    EXPECT_LT(tensor_bytes_in_use() - base, 5u << 20);
  }
  EXPECT_EQ(tensor_bytes_in_use(), base);
  set_memory_limit(base + (64u << 20));
  {
    Tensor ok(DType::f32, {4, 1024, 1024});  // 16 MiB fits
    try {
      Tensor big(DType::f32, {64, 1024, 1024});  // 256 MiB does not
      ADD_FAILURE() << "no error past the limit";
    } catch (const ResourceError& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("[64,1024,1024] float32"), std::string::npos) << m;
      EXPECT_NE(m.find("256.0 MiB"), std::string::npos) << m;
      EXPECT_NE(m.find("memory limit"), std::string::npos) << m;
    }
    EXPECT_THROW(check_fits(100u << 20, "a design space"), ResourceError);
  }
  EXPECT_EQ(tensor_bytes_in_use(), base) << "a refused allocation is not counted";
  // A shape whose byte size overflows is refused before anything is allocated.
  EXPECT_THROW(Tensor(DType::f32, {int64_t{1} << 40, int64_t{1} << 40}), ResourceError);
  set_memory_limit(0);
}

}  // namespace
}  // namespace coda
