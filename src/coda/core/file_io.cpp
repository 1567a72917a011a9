#include "coda/core/file_io.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "coda/core/error.h"

namespace coda {

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw IoError(path, "cannot open file: is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path, format("cannot open file: %s", std::strerror(errno)));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw IoError(path, "read failed");
  return ss.str();
}

}  // namespace coda
