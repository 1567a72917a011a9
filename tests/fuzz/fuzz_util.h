// Shared pieces of coda's fuzz targets (docs/fuzzing.md).
//
// - fuzz::guarded(fn): runs one input (tensor memory limited to kTensorMemoryLimit). A coda::Error
//   is the expected answer to bad input and is swallowed; an InternalError (a broken invariant), any
//   other exception, a crash, a hang or a sanitizer report is a finding: InternalError aborts here,
//   other exceptions reach std::terminate.
//   CODA_FUZZ_VERBOSE=1 prints the errors (to see whether seeds get past the parser).
// - fuzz::Input: a small FuzzedDataProvider work-alike (clang's header is not there under GCC, and the
//   replay build is GCC). Everything is taken from the front of the data, so a mutation of the
//   leading bytes steers the structure.
// - fuzz::Scratch: a private temporary directory for targets whose parser takes a path.
// - fuzz::split_parts: the multi-file targets' input format, parts separated by a line "%%%%".
#pragma once
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "coda/core/error.h"
#include "coda/core/memory.h"

namespace fuzz {

// Tensors a single input may keep alive: coda refuses larger ones with ResourceError (core/memory.h)
// before they reach the allocator, far below libFuzzer's -rss_limit_mb.
constexpr uint64_t kTensorMemoryLimit = uint64_t{256} << 20;

template <class F>
int guarded(F&& fn) {
  static const bool limited = (coda::set_memory_limit(kTensorMemoryLimit), true);
  (void)limited;
  try {
    fn();
  } catch (const coda::InternalError& e) {
    std::fprintf(stderr, "fuzz: internal check failed on this input (a bug): %s\n", e.what());
    std::abort();
  } catch (const coda::Error& e) {
    // bad input, reported as it should be
    static const bool verbose = std::getenv("CODA_FUZZ_VERBOSE") != nullptr;
    if (verbose) std::fprintf(stderr, "fuzz: coda::Error: %s\n", e.what());
  }
  return 0;
}

class Input {
 public:
  Input(const uint8_t* data, size_t size) : p_(data), n_(size) {}

  size_t remaining() const { return n_; }
  bool empty() const { return n_ == 0; }

  uint8_t byte() {
    if (!n_) return 0;
    --n_;
    return *p_++;
  }
  bool boolean() { return byte() & 1; }

  // An integer in [lo, hi], from as few leading bytes as the range needs (lo when the data is used up).
  template <class T>
  T range(T lo, T hi) {
    static_assert(std::is_integral_v<T>);
    if (hi <= lo) return lo;
    using U = std::make_unsigned_t<T>;
    const uint64_t span = static_cast<uint64_t>(static_cast<U>(hi) - static_cast<U>(lo));
    uint64_t v = 0;
    for (uint64_t seen = 0; (seen < span) && n_; seen = (seen << 8) | 0xff) v = (v << 8) | byte();
    if (span != UINT64_MAX) v %= span + 1;
    return static_cast<T>(static_cast<U>(static_cast<uint64_t>(static_cast<U>(lo)) + v));
  }
  template <class T>
  T integral() {
    return range<T>(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  }
  // One of `values`, picked by the next byte.
  template <class T, size_t N>
  const T& pick(const T (&values)[N]) {
    return values[range<size_t>(0, N - 1)];
  }
  template <class T>
  const T& pick(const std::vector<T>& values) {
    return values[range<size_t>(0, values.size() - 1)];
  }

  // A float: one of the values parsers get wrong (0, -0, +-inf, NaN, denormals, huge) or 4 raw bytes.
  float real() {
    static const float special[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, 2.0f, 1e-45f, 1e-38f, 3.4e38f, -3.4e38f,
                                    1e30f, 255.0f, 1e-6f, __builtin_inff(), -__builtin_inff(), __builtin_nanf("")};
    uint8_t k = byte();
    if (k < 128) return special[k % (sizeof special / sizeof special[0])];
    uint32_t bits = integral<uint32_t>();
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  // An int64 that is usually small, sometimes one of the edge values (negative, 0, huge).
  int64_t small_int(int64_t lo = -4, int64_t hi = 64) {
    static const int64_t edge[] = {0, -1, 1, 2, 3, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, 1LL << 31, 1LL << 40};
    uint8_t k = byte();
    if (k < 16) return edge[k % (sizeof edge / sizeof edge[0])];
    return range<int64_t>(lo, hi);
  }

  std::string bytes(size_t n) {
    n = std::min(n, n_);
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n, n_ -= n;
    return s;
  }
  // FuzzedDataProvider::ConsumeRandomLengthString: ends at a lone backslash; "\\\\" is one backslash.
  std::string string(size_t max_length = 64) {
    std::string s;
    for (size_t i = 0; i < max_length && n_; ++i) {
      char c = static_cast<char>(byte());
      if (c == '\\' && n_) {
        char next = static_cast<char>(byte());
        if (next != '\\') break;
      }
      s += c;
    }
    return s;
  }
  std::string rest() { return bytes(n_); }

 private:
  const uint8_t* p_;
  size_t n_;
};

// A directory of this process's own, removed at exit.
class Scratch {
 public:
  static Scratch& get() {
    static Scratch s;
    return s;
  }
  const std::filesystem::path& dir() const { return dir_; }
  // Writes `bytes` to dir/name (replacing it) and returns the path.
  std::string write(const std::string& name, std::string_view bytes) const {
    std::filesystem::path p = dir_ / name;
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.close();
    if (!f) {
      std::fprintf(stderr, "fuzz: cannot write %s\n", p.c_str());
      std::abort();
    }
    return p.string();
  }
  // Removes everything in the directory (files a parser or SQLite left behind).
  void clear() const {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) std::filesystem::remove_all(e.path(), ec);
  }

 private:
  Scratch() {
    // $TMPDIR, else /dev/shm (memory: no disk traffic for the files each input writes), else /tmp.
    const char* t = std::getenv("TMPDIR");
    std::string base = t && *t ? t : access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string tmpl = base + "/coda-fuzz-XXXXXX";
    if (!mkdtemp(tmpl.data())) {
      std::perror("fuzz: mkdtemp");
      std::abort();
    }
    dir_ = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::filesystem::path dir_;
};

// The parts of a multi-file input: the bytes between lines that are exactly "%%%%".
inline std::vector<std::string> split_parts(std::string_view data, size_t max_parts = 8) {
  std::vector<std::string> parts;
  constexpr std::string_view sep = "\n%%%%\n";
  size_t at = 0;
  while (parts.size() + 1 < max_parts) {
    size_t k = data.find(sep, at);
    if (k == std::string_view::npos) break;
    parts.emplace_back(data.substr(at, k - at));
    at = k + sep.size();
  }
  parts.emplace_back(data.substr(at));
  return parts;
}

}  // namespace fuzz
