// coda::datasets::GzipFile: reads a gzip-compressed (or plain) file through zlib, with errors that name it.
//
// A file that cannot be opened or read raises IoError; corrupt or truncated compressed data raises
// ParseError. Reads never allocate more than the caller asks for.
//
//   GzipFile f("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
//   uint8_t header[8];
//   f.read_exact(header, 8, "the IDX header");   // ParseError "...: truncated: ..." if the file is shorter
//   std::string rest = f.read_up_to(1 << 20);     // at most 1 MiB, fewer at the end of the file
#pragma once
#include <cstddef>
#include <string>

namespace coda::datasets {

class GzipFile {
 public:
  explicit GzipFile(std::string path);
  ~GzipFile();
  GzipFile(const GzipFile&) = delete;
  GzipFile& operator=(const GzipFile&) = delete;

  const std::string& path() const { return path_; }
  // Reads up to `n` bytes into buf; returns how many were read (fewer only at the end of the file).
  size_t read(void* buf, size_t n);
  // Reads exactly n bytes, or raises ParseError "truncated: file ends inside <what>".
  void read_exact(void* buf, size_t n, const char* what);
  // Reads up to n bytes, growing the result as data arrives (so a bogus n does not allocate n bytes).
  std::string read_up_to(size_t n);
  // True if no byte is left (reads one byte to find out; use only when the remaining bytes are unwanted).
  bool at_end();

 private:
  std::string path_;
  void* file_ = nullptr;  // gzFile
};

// The whole decompressed content of a file, at most max_bytes (ParseError if it is longer).
std::string read_gzip_file(const std::string& path, size_t max_bytes);

}  // namespace coda::datasets
