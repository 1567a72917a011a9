#include "coda/core/npy.h"

#include "coda/core/file_io.h"

#include <bit>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

namespace coda {

static_assert(std::endian::native == std::endian::little, ".npy support assumes a little-endian host");

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kAlign = 64;           // numpy's ARRAY_ALIGN
constexpr size_t kGrowthDigits = 21;    // numpy's GROWTH_AXIS_MAX_DIGITS

// The descr string numpy writes for each dtype ('|' for one-byte types, '<' otherwise).
const char* descr_of(DType t) {
  switch (t) {
    case DType::f32: return "<f4";
    case DType::f64: return "<f8";
    case DType::i64: return "<i8";
    case DType::i32: return "<i4";
    case DType::i16: return "<i2";
    case DType::i8: return "|i1";
    case DType::u8: return "|u1";
    case DType::u16: return "<u2";
    case DType::u32: return "<u4";
    case DType::u64: return "<u8";
    case DType::boolean: return "|b1";
    default: return nullptr;
  }
}

DType dtype_of_descr(const std::string& descr, const std::string& where) {
  auto unsupported = [&](const char* why) {
    return ParseError(where, format("unsupported dtype '%s' (%s)", descr.c_str(), why));
  };
  if (descr.size() < 3) throw unsupported("not a simple numeric type");
  char order = descr[0];
  std::string kind = descr.substr(1);
  DType t = DType::undefined;
  for (DType c : {DType::f32, DType::f64, DType::i64, DType::i32, DType::i16, DType::i8, DType::u8, DType::u16,
                  DType::u32, DType::u64, DType::boolean}) {
    if (kind == descr_of(c) + 1) t = c;
  }
  if (t == DType::undefined) throw unsupported("coda reads float32/64, int8..64, uint8..64 and bool");
  if (dtype_size(t) == 1) {
    if (order != '|' && order != '<' && order != '>' && order != '=') throw unsupported("bad byte order");
  } else if (order == '>') {
    throw unsupported("big-endian data");
  } else if (order != '<' && order != '=') {
    throw unsupported("bad byte order");
  }
  return t;
}

// A parsed header value: a string, a boolean or a tuple of non-negative integers.
struct HeaderValue {
  enum Kind { Str, Bool, Tuple } kind = Str;
  std::string str;
  bool flag = false;
  Shape dims;
};

// Parses the Python dict literal of a .npy header, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& where) : s_(text), where_(where) {}

  // Calls on_entry(key, value) for each entry of the dict.
  template <class F> void parse_dict(F&& on_entry) {
    expect('{');
    while (true) {
      if (peek() == '}') break;
      std::string key = parse_string();
      expect(':');
      on_entry(key, parse_value(key));
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') fail("expected ',' or '}'");
    }
    ++pos_;
    if (peek() != '\0') fail("unexpected text after the header dict");
  }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw ParseError(where_, format("bad header at byte %zu: %s", pos_, what));
  }
  // Skips whitespace and returns the next character ('\0' at the end).
  char peek() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  void expect(char c) {
    if (peek() != c) fail(format("expected '%c'", c).c_str());
    ++pos_;
  }
  bool take_word(const char* w) {
    size_t n = std::strlen(w);
    if (s_.compare(pos_, n, w) != 0) return false;
    pos_ += n;
    return true;
  }
  std::string parse_string() {
    char q = peek();
    if (q != '\'' && q != '"') fail("expected a quoted string");
    size_t end = s_.find(q, pos_ + 1);
    if (end == std::string::npos) fail("unterminated string");
    std::string r = s_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return r;
  }
  int64_t parse_int() {
    if (peek() == '-') fail("negative dimension");
    if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9') fail("expected an integer");
    int64_t v = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      int digit = s_[pos_++] - '0';
      if (v > (std::numeric_limits<int64_t>::max() - digit) / 10) fail("dimension too large");
      v = v * 10 + digit;
    }
    if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;  // Python 2 longs, written by old numpy
    return v;
  }
  HeaderValue parse_value(const std::string& key) {
    HeaderValue v;
    char c = peek();
    if (c == '\'' || c == '"') {
      v.str = parse_string();
    } else if (c == '(') {
      ++pos_;
      v.kind = HeaderValue::Tuple;
      while (peek() != ')') {
        v.dims.push_back(parse_int());
        if (peek() == ',') ++pos_;
        else if (peek() != ')') fail("expected ',' or ')' in the shape");
      }
      ++pos_;
    } else if (take_word("True")) {
      v.kind = HeaderValue::Bool;
      v.flag = true;
    } else if (take_word("False")) {
      v.kind = HeaderValue::Bool;
    } else if (key == "descr" && c == '[') {
      throw ParseError(where_, "unsupported dtype (structured arrays are not supported)");
    } else {
      fail(format("unsupported value for '%s'", key.c_str()).c_str());
    }
    return v;
  }

  const std::string& s_;
  const std::string& where_;
  size_t pos_ = 0;
};

uint32_t read_le(const std::string& b, size_t at, size_t n) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(b[at + i])) << (8 * i);
  return v;
}

// Bytes needed for `shape` of `dtype`; throws on negative dims or a count that overflows int64.
int64_t checked_nbytes(const Shape& shape, DType dtype, const std::string& where) {
  int64_t bytes = static_cast<int64_t>(dtype_size(dtype));
  bool empty = false;
  for (int64_t d : shape) {
    if (d == 0) empty = true;
    else if (__builtin_mul_overflow(bytes, d, &bytes))
      throw ParseError(where, format("shape %s is too large (byte count overflows)", shape_str(shape).c_str()));
  }
  return empty ? 0 : bytes;
}

}  // namespace

Tensor parse_npy(const std::string& bytes, const std::string& where) {
  if (bytes.size() < kMagicLen + 2 || bytes.compare(0, kMagicLen, kMagic, kMagicLen) != 0)
    throw ParseError(where, "not a .npy file (bad magic string)");
  int major = static_cast<uint8_t>(bytes[6]), minor = static_cast<uint8_t>(bytes[7]);
  if ((major != 1 && major != 2 && major != 3) || minor != 0)
    throw ParseError(where, format("unsupported .npy format version %d.%d", major, minor));
  size_t len_size = major == 1 ? 2 : 4;
  size_t header_at = kMagicLen + 2 + len_size;
  if (bytes.size() < header_at) throw ParseError(where, "truncated header (file ends inside the header length)");
  size_t header_len = read_le(bytes, kMagicLen + 2, len_size);
  if (bytes.size() - header_at < header_len)
    throw ParseError(where, format("truncated header (%zu bytes declared, %zu present)", header_len,
                                   bytes.size() - header_at));
  std::string header = bytes.substr(header_at, header_len);

  std::string descr;
  bool fortran_order = false;
  Shape shape;
  int seen = 0;
  HeaderParser(header, where).parse_dict([&](const std::string& key, const HeaderValue& v) {
    auto want = [&](HeaderValue::Kind k, const char* what) {
      if (v.kind != k) throw ParseError(where, format("header: '%s' must be %s", key.c_str(), what));
    };
    if (key == "descr") {
      want(HeaderValue::Str, "a string");
      descr = v.str;
      seen |= 1;
    } else if (key == "fortran_order") {
      want(HeaderValue::Bool, "True or False");
      fortran_order = v.flag;
      seen |= 2;
    } else if (key == "shape") {
      want(HeaderValue::Tuple, "a tuple");
      shape = v.dims;
      seen |= 4;
    } else {
      throw ParseError(where, format("header: unexpected key '%s'", key.c_str()));
    }
  });
  if (seen != 7) throw ParseError(where, "header: needs the keys 'descr', 'fortran_order' and 'shape'");
  DType dtype = dtype_of_descr(descr, where);
  if (fortran_order) throw ParseError(where, "fortran_order True is not supported (save a C-order array)");

  int64_t need = checked_nbytes(shape, dtype, where);
  size_t data_at = header_at + header_len;
  size_t have = bytes.size() - data_at;
  if (have < static_cast<uint64_t>(need))
    throw ParseError(where, format("data truncated: shape %s of %s needs %lld bytes, file has %zu",
                                   shape_str(shape).c_str(), descr.c_str(), static_cast<long long>(need), have));
  if (have > static_cast<uint64_t>(need))
    throw ParseError(where, format("%zu unexpected bytes after the data of shape %s", have - static_cast<size_t>(need),
                                   shape_str(shape).c_str()));

  Tensor t(dtype, shape);
  const char* src = bytes.data() + data_at;
  if (dtype == DType::boolean) {
    bool* dst = t.data<bool>();
    for (int64_t i = 0; i < need; ++i) dst[i] = src[i] != 0;
  } else if (need > 0) {
    std::memcpy(t.raw(), src, static_cast<size_t>(need));
  }
  return t;
}

Tensor read_npy(const std::string& path) {
  return parse_npy(read_file(path), path);
}

std::string format_npy(const Tensor& t) {
  const char* descr = t.defined() ? descr_of(t.dtype()) : nullptr;
  if (!descr) throw InvalidError("write_npy", "cannot write an undefined tensor");
  // The same bytes numpy.save writes: sorted keys, repr(shape), growth padding, 64-byte alignment.
  std::string shape = "(";
  for (size_t i = 0; i < t.shape().size(); ++i) shape += (i ? ", " : "") + std::to_string(t.shape()[i]);
  shape += t.shape().size() == 1 ? ",)" : ")";
  std::string header = format("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape.c_str());
  if (!t.shape().empty()) header.append(kGrowthDigits - std::to_string(t.shape()[0]).size(), ' ');
  size_t hlen = header.size() + 1;
  int major = 1;
  size_t pad = kAlign - (kMagicLen + 2 + 2 + hlen) % kAlign;
  if (hlen + pad > 65535) {
    major = 2;
    pad = kAlign - (kMagicLen + 2 + 4 + hlen) % kAlign;
  }
  header.append(pad, ' ');
  header += '\n';

  std::string out(kMagic, kMagicLen);
  out += static_cast<char>(major);
  out += '\0';
  uint32_t n = static_cast<uint32_t>(header.size());
  for (size_t i = 0; i < (major == 1 ? 2u : 4u); ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  out += header;
  if (t.dtype() == DType::boolean) {
    const bool* p = t.data<bool>();
    for (int64_t i = 0; i < t.numel(); ++i) out += p[i] ? '\1' : '\0';
  } else {
    out.append(static_cast<const char*>(t.raw()), t.nbytes());
  }
  return out;
}

void write_npy(const std::string& path, const Tensor& t) {
  std::string bytes = format_npy(t);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw IoError(path, format("cannot open for writing: %s", std::strerror(errno)));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw IoError(path, "write failed");
}

}  // namespace coda
