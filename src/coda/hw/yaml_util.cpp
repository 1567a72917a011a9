#include "coda/hw/yaml_util.h"

#include "coda/core/error.h"
#include "coda/core/file_io.h"

namespace coda::hw {

YAML::Node parse_yaml(const std::string& text, const std::string& where) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ParseError(where, format("line %d, column %d: %s", e.mark.line + 1, e.mark.column + 1, e.msg.c_str()));
  }
}

YAML::Node load_yaml_file(const std::string& path) { return parse_yaml(read_file(path), path); }

namespace {

std::string scalar_text(const YAML::Node& n) {
  if (!n) return "(missing)";
  if (n.IsScalar()) return n.Scalar();
  return n.IsSequence() ? "(a list)" : "(a map)";
}

template <class T>
T read_as(const YAML::Node& n, const std::string& where, const std::string& what, const char* type) {
  if (n && n.IsScalar()) {
    try {
      return n.as<T>();
    } catch (const YAML::Exception&) {
    }
  }
  throw ParseError(where, what + ": expected " + type + ", got '" + scalar_text(n) + "'");
}

}  // namespace

int64_t yaml_int(const YAML::Node& n, const std::string& where, const std::string& what) {
  // Accept integral floats such as 64.0, which generators sometimes write.
  if (n && n.IsScalar()) {
    try {
      return n.as<int64_t>();
    } catch (const YAML::Exception&) {
      try {
        double d = n.as<double>();
        if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
      } catch (const YAML::Exception&) {
      }
    }
  }
  throw ParseError(where, what + ": expected an integer, got '" + scalar_text(n) + "'");
}

double yaml_double(const YAML::Node& n, const std::string& where, const std::string& what) {
  return read_as<double>(n, where, what, "a number");
}

std::string yaml_string(const YAML::Node& n, const std::string& where, const std::string& what) {
  return read_as<std::string>(n, where, what, "a string");
}

bool yaml_bool(const YAML::Node& n, const std::string& where, const std::string& what) {
  return read_as<bool>(n, where, what, "true or false");
}

YAML::Node yaml_either(const YAML::Node& map, const char* a, const char* b) {
  // An undefined node (false in a condition); a default-constructed Node would be a defined null.
  if (!map || !map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  return map[a] ? map[a] : map[b];
}

}  // namespace coda::hw
