#include "coda/core/error.h"

#include <cstdio>
#include <vector>

namespace coda {

std::string vformat(const char* fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = std::vsnprintf(nullptr, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return fmt;
  std::string s(static_cast<size_t>(n), '\0');
  std::vsnprintf(s.data(), s.size() + 1, fmt, ap);
  return s;
}

std::string format(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  return s;
}

Error::Error(ErrorKind kind, std::string where, std::string what)
    : std::runtime_error(where.empty() ? what : where + ": " + what),
      kind_(kind), where_(std::move(where)), what_(std::move(what)) {}

void internal_failure(const char* file, int line, const char* cond, const std::string& msg) {
  throw InternalError(format("%s:%d", file, line), format("internal check failed (%s): %s", cond, msg.c_str()));
}

}  // namespace coda
