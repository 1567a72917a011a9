#include "coda/datasets/gzip_file.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "coda/core/error.h"

namespace coda::datasets {

namespace {
gzFile gz(void* f) { return static_cast<gzFile>(f); }
}  // namespace

GzipFile::GzipFile(std::string path) : path_(std::move(path)) {
  errno = 0;
  file_ = gzopen(path_.c_str(), "rb");
  if (!file_) throw IoError(path_, format("cannot open: %s", errno ? std::strerror(errno) : "out of memory"));
}

GzipFile::~GzipFile() {
  if (file_) gzclose(gz(file_));
}

size_t GzipFile::read(void* buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - done, 1u << 30));
    int got = gzread(gz(file_), static_cast<char*>(buf) + done, chunk);
    if (got < 0) {
      int code = 0;
      const char* msg = gzerror(gz(file_), &code);
      if (code == Z_ERRNO) throw IoError(path_, format("read failed: %s", std::strerror(errno)));
      throw ParseError(path_, format("corrupt or truncated gzip data: %s", msg));
    }
    done += static_cast<size_t>(got);
    if (static_cast<unsigned>(got) < chunk) break;
  }
  if (done < n) {
    // A short read is the end of the file, unless zlib met a truncated or damaged stream.
    int code = 0;
    const char* msg = gzerror(gz(file_), &code);
    if (code == Z_ERRNO) throw IoError(path_, format("read failed: %s", std::strerror(errno)));
    if (code != Z_OK) throw ParseError(path_, format("corrupt or truncated gzip data: %s", msg));
  }
  return done;
}

void GzipFile::read_exact(void* buf, size_t n, const char* what) {
  size_t got = read(buf, n);
  if (got < n) throw ParseError(path_, format("truncated: file ends inside %s (%zu of %zu bytes)", what, got, n));
}

std::string GzipFile::read_up_to(size_t n) {
  std::string out;
  constexpr size_t kChunk = 1 << 20;
  while (out.size() < n) {
    size_t want = std::min(kChunk, n - out.size());
    size_t old = out.size();
    out.resize(old + want);
    size_t got = read(out.data() + old, want);
    out.resize(old + got);
    if (got < want) break;
  }
  return out;
}

bool GzipFile::at_end() {
  char c;
  return read(&c, 1) == 0;
}

std::string read_gzip_file(const std::string& path, size_t max_bytes) {
  GzipFile f(path);
  std::string s = f.read_up_to(max_bytes);
  if (!f.at_end()) throw ParseError(path, format("file is larger than the %zu bytes expected", max_bytes));
  return s;
}

}  // namespace coda::datasets
