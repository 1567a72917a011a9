// Reading and writing NumPy .npy files (format versions 1.0, 2.0 and 3.0) as coda::Tensor.
//
// Little-endian, C-order arrays of float32/64, int8/16/32/64, uint8/16/32/64 and bool, including
// scalars (shape ()) and zero-size arrays. Any malformed or unsupported file raises ParseError naming
// the file and the problem; a file that cannot be opened raises IoError.
//
//   Tensor x = read_npy("input_0.npy");            // e.g. f32 [1,3,224,224]
//   write_npy("/tmp/out.npy", x);                    // np.load("/tmp/out.npy") gives the same array
//   Tensor y = parse_npy(bytes, "blob.npy");         // from bytes already in memory
#pragma once
#include <string>

#include "coda/core/tensor.h"

namespace coda {

// Reads the .npy file at `path`. IoError if it cannot be read, ParseError if it is not a valid .npy.
Tensor read_npy(const std::string& path);

// Parses the full contents of a .npy file; `where` names it in errors.
Tensor parse_npy(const std::string& bytes, const std::string& where);

// Serializes t as a .npy file (version 1.0, or 2.0 when the header needs it).
std::string format_npy(const Tensor& t);

// Writes t to `path`. IoError if the file cannot be written, InvalidError if t is undefined.
void write_npy(const std::string& path, const Tensor& t);

}  // namespace coda
