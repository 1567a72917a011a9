// Small yaml-cpp helpers shared by the hw and map readers: parse text and read scalars, turning
// yaml-cpp's exceptions into coda::ParseError with the file and the key.
//
//   YAML::Node root = hw::parse_yaml(text, "arch.yaml");
//   int64_t depth = hw::yaml_int(attrs["depth"], "arch.yaml", "Buffer.depth");
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>

namespace coda::hw {

// Throws ParseError("<where>", "line L, column C: <yaml-cpp message>") on malformed YAML, and
// ParseError("<where>", "line L: not UTF-8 text ...") on bytes that are not UTF-8.
YAML::Node parse_yaml(const std::string& text, const std::string& where);
// Reads a file (IoError if it cannot, via coda::read_file) and parses it.
YAML::Node load_yaml_file(const std::string& path);
// Raises a yaml-cpp exception thrown while reading a parsed document (a key looked up in a list or a
// scalar, a failed conversion) as ParseError("<where>", "line L, column C: <yaml-cpp message>"). The
// readers of user files end in `catch (const YAML::Exception& e) { throw_yaml_error(where, e); }`.
[[noreturn]] void throw_yaml_error(const std::string& where, const YAML::Exception& e);

// Scalar readers: throw ParseError("<where>", "<what>: expected <type>, got '<text>'").
int64_t yaml_int(const YAML::Node& n, const std::string& where, const std::string& what);
// An integer that must fit in an int (word widths, block sizes, banks): ParseError when it does not.
int yaml_int32(const YAML::Node& n, const std::string& where, const std::string& what);
double yaml_double(const YAML::Node& n, const std::string& where, const std::string& what);
std::string yaml_string(const YAML::Node& n, const std::string& where, const std::string& what);
bool yaml_bool(const YAML::Node& n, const std::string& where, const std::string& what);

// The first of two alternative keys that is present (Timeloop accepts both spellings), or a null node.
YAML::Node yaml_either(const YAML::Node& map, const char* a, const char* b);

}  // namespace coda::hw
