#include "coda/hw/yaml_util.h"

#include <algorithm>
#include <cmath>

#include "coda/core/error.h"
#include "coda/core/file_io.h"

namespace coda::hw {

namespace {

// Offset of the first byte of `s` that does not belong to a well-formed UTF-8 sequence, or npos.
size_t invalid_utf8_at(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return i;
    uint32_t cp = n == 1 ? b : b & (0x7f >> n);
    for (size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c >> 6) != 0x2) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points above U+10FFFF are not UTF-8.
    static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += n;
  }
  return std::string::npos;
}

}  // namespace

void throw_yaml_error(const std::string& where, const YAML::Exception& e) {
  if (e.mark.is_null()) throw ParseError(where, e.msg);
  throw ParseError(where, format("line %d, column %d: %s", e.mark.line + 1, e.mark.column + 1, e.msg.c_str()));
}

YAML::Node parse_yaml(const std::string& text, const std::string& where) {
  // YAML text is Unicode; yaml-cpp passes bytes that are not UTF-8 through into names, which then do
  // not survive being written out and read back (hw::to_yaml).
  if (size_t at = invalid_utf8_at(text); at != std::string::npos)
    throw ParseError(where, format("line %d: not UTF-8 text (byte 0x%02x)",
                                   1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n')),
                                   static_cast<unsigned char>(text[at])));
  // YAML allows no control characters but tab, line feed and carriage return; yaml-cpp reads a NUL
  // into a name that it then cannot write back.
  for (size_t at = 0; at < text.size(); ++at) {
    const auto b = static_cast<unsigned char>(text[at]);
    if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f)
      throw ParseError(where, format("line %d: control character 0x%02x (YAML text is printable)",
                                     1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n')), b));
  }
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw_yaml_error(where, e);
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
        if (d >= -0x1p63 && d < 0x1p63 && d == std::trunc(d)) return static_cast<int64_t>(d);  // in range first
      } catch (const YAML::Exception&) {
      }
    }
  }
  throw ParseError(where, what + ": expected an integer, got '" + scalar_text(n) + "'");
}

int yaml_int32(const YAML::Node& n, const std::string& where, const std::string& what) {
  int64_t v = yaml_int(n, where, what);
  if (v < INT32_MIN || v > INT32_MAX)
    throw ParseError(where, format("%s: %lld is out of range (at most %d)", what.c_str(), (long long)v, INT32_MAX));
  return static_cast<int>(v);
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
