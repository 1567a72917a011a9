// coda::Error and its subclasses: how coda reports a user's bad input.
//
// A bad file, flag or model raises one of these with *where* (a file, a node, a flag) and *what*.
// The CLI catches coda::Error once, prints `coda: error: <where>: <what>` and exits 2.
//
//   throw coda::ParseError("model.onnx", "node conv1: kernel_shape has %d values, expected 2", n);
//   CODA_CHECK(i < n, "index %d out of range", i);   // internal invariant, on in Release
#pragma once
#include <cstdarg>
#include <stdexcept>
#include <string>

namespace coda {

enum class ErrorKind { Parse, Unsupported, Invalid, Io, Internal };

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string vformat(const char* fmt, va_list ap);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string where, std::string what);
  ErrorKind kind() const { return kind_; }
  const std::string& where() const { return where_; }
  const std::string& message() const { return what_; }  // without the location
 private:
  ErrorKind kind_;
  std::string where_, what_;
};

// A file or text that cannot be read as what it claims to be.
struct ParseError : Error {
  ParseError(std::string where, std::string what) : Error(ErrorKind::Parse, std::move(where), std::move(what)) {}
};
// Valid input that uses a feature coda does not implement (an op, an attribute value).
struct UnsupportedError : Error {
  UnsupportedError(std::string where, std::string what)
      : Error(ErrorKind::Unsupported, std::move(where), std::move(what)) {}
};
// Input that is well-formed but inconsistent (a dangling name, mismatched shapes, a bad flag value).
struct InvalidError : Error {
  InvalidError(std::string where, std::string what) : Error(ErrorKind::Invalid, std::move(where), std::move(what)) {}
};
// A file that cannot be opened, read or written.
struct IoError : Error {
  IoError(std::string where, std::string what) : Error(ErrorKind::Io, std::move(where), std::move(what)) {}
};
// A broken invariant inside coda: a bug, never the user's fault.
struct InternalError : Error {
  InternalError(std::string where, std::string what)
      : Error(ErrorKind::Internal, std::move(where), std::move(what)) {}
};

[[noreturn]] void internal_failure(const char* file, int line, const char* cond, const std::string& msg);

}  // namespace coda

// Internal invariant: stays on in Release builds.
#define CODA_CHECK(cond, ...)                                                      \
  do {                                                                             \
    if (!(cond)) ::coda::internal_failure(__FILE__, __LINE__, #cond, ::coda::format(__VA_ARGS__)); \
  } while (0)
