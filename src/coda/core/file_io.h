// Reading whole files, with the errors every reader of user files needs.
//
//   std::string bytes = coda::read_file("model.onnx");   // IoError("model.onnx", "cannot open file")
#pragma once
#include <string>

namespace coda {

// The file's bytes. IoError naming `path` if it is missing, a directory or unreadable.
std::string read_file(const std::string& path);

}  // namespace coda
