#include "coda/quant/number_format.h"

#include <cstdlib>
#include <vector>

#include "coda/core/error.h"

namespace coda::quant {

namespace {

const char* kWhere = "number format";

[[noreturn]] void bad(const std::string& text, const std::string& why) {
  throw ParseError(kWhere, "'" + text + "': " + why);
}

// Parses the digits of s as a positive integer; -1 when s is not one.
int64_t parse_count(const std::string& s) {
  if (s.empty() || s.size() > 9) return -1;
  for (char c : s)
    if (c < '0' || c > '9') return -1;
  return std::atoll(s.c_str());
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == sep) out.emplace_back();
    else out.back() += c;
  }
  return out;
}

NumberFormat parse_base(const std::string& base, const std::string& text) {
  struct Named { const char* name; NumberFormat f; };
  static const Named named[] = {
      {"fp8e4m3", NumberFormat::fp8_format(Fp8Kind::E4M3)},
      {"fp8e5m2", NumberFormat::fp8_format(Fp8Kind::E5M2)},
      {"mxint8", NumberFormat::mx_format(MxElement::Int8)},
      {"mxfp8e4m3", NumberFormat::mx_format(MxElement::E4M3)},
      {"mxfp8e5m2", NumberFormat::mx_format(MxElement::E5M2)},
      {"mxfp6e3m2", NumberFormat::mx_format(MxElement::E3M2)},
      {"mxfp6e2m3", NumberFormat::mx_format(MxElement::E2M3)},
      {"mxfp4", NumberFormat::mx_format(MxElement::E2M1)},
      {"smx8", NumberFormat::smx_format(8)},
      {"smx12", NumberFormat::smx_format(12)},
  };
  for (const Named& n : named)
    if (base == n.name) return n.f;
  bool asym = false;
  std::string digits;
  if (base.rfind("uint", 0) == 0) {
    asym = true;
    digits = base.substr(4);
  } else if (base.rfind("int", 0) == 0) {
    digits = base.substr(3);
  } else {
    bad(text, "unknown format '" + base + "' (expected intB, uintB, fp8e4m3, fp8e5m2, mxint8, mxfp8e4m3, "
                                          "mxfp8e5m2, mxfp6e3m2, mxfp6e2m3, mxfp4, smx8 or smx12)");
  }
  int64_t b = parse_count(digits);
  if (b < 0) bad(text, "'" + base + "' has no bit width");
  if (b < 2 || b > 16) bad(text, format("INT bit width %lld is unsupported (2..16)", static_cast<long long>(b)));
  return NumberFormat::int_format(static_cast<int>(b), asym);
}

}  // namespace

NumberFormat NumberFormat::int_format(int bits, bool asymmetric) {
  NumberFormat f;
  f.kind = FormatKind::Int;
  f.bits = bits;
  f.asymmetric = asymmetric;
  return f;
}
NumberFormat NumberFormat::fp8_format(Fp8Kind kind) {
  NumberFormat f;
  f.kind = FormatKind::Fp8;
  f.fp8 = kind;
  return f;
}
NumberFormat NumberFormat::mx_format(MxElement element) {
  NumberFormat f;
  f.kind = FormatKind::Mx;
  f.element = element;
  f.axis = -1;
  f.block_size = 32;
  f.bits = element == MxElement::Int8 || element == MxElement::E4M3 || element == MxElement::E5M2 ? 8
           : element == MxElement::E2M1                                                           ? 4
                                                                                                  : 6;
  return f;
}
NumberFormat NumberFormat::smx_format(int bits) {
  NumberFormat f;
  f.kind = FormatKind::Smx;
  f.bits = bits;
  f.block_size = 4;
  return f;
}
NumberFormat NumberFormat::per_channel(int ax) const {
  NumberFormat f = *this;
  f.granularity = Granularity::PerChannel;
  f.axis = ax;
  f.group_size = 0;
  return f;
}
NumberFormat NumberFormat::per_group(int64_t g, int ax) const {
  NumberFormat f = *this;
  f.granularity = Granularity::PerGroup;
  f.axis = ax;
  f.group_size = g;
  return f;
}

int64_t NumberFormat::qmax() const {
  if (kind == FormatKind::Int) return asymmetric ? (int64_t{1} << bits) - 1 : (int64_t{1} << (bits - 1)) - 1;
  if (kind == FormatKind::Smx) return (int64_t{1} << (bits - 1)) - 1;
  if (kind == FormatKind::Mx && element == MxElement::Int8) return 127;
  return 0;
}
int64_t NumberFormat::qmin() const { return kind == FormatKind::Int && asymmetric ? 0 : -qmax(); }

NumberFormat parse_format(const std::string& text) {
  std::vector<std::string> parts = split(text, '/');
  NumberFormat f = parse_base(parts[0], text);
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    const bool scaled = f.kind == FormatKind::Int || f.kind == FormatKind::Fp8;
    if (p == "ch" && scaled) {
      f = f.per_channel(0);
    } else if (p.size() > 1 && p[0] == 'g' && scaled) {
      int64_t g = parse_count(p.substr(1));
      if (g < 1) bad(text, "group size '" + p.substr(1) + "' is not a positive integer");
      f = f.per_group(g, -1);
    } else if (p == "asym" && f.kind == FormatKind::Int) {
      f.asymmetric = true;
    } else if (p == "sym" && f.kind == FormatKind::Int) {
      f.asymmetric = false;
    } else {
      bad(text, "unknown modifier '/" + p + "' for " + parts[0]);
    }
  }
  return f;
}

std::string format_name(const NumberFormat& f) {
  std::string s;
  switch (f.kind) {
    case FormatKind::Int: s = (f.asymmetric ? "uint" : "int") + std::to_string(f.bits); break;
    case FormatKind::Fp8: s = f.fp8 == Fp8Kind::E4M3 ? "fp8e4m3" : "fp8e5m2"; break;
    case FormatKind::Mx:
      switch (f.element) {
        case MxElement::Int8: return "mxint8";
        case MxElement::E4M3: return "mxfp8e4m3";
        case MxElement::E5M2: return "mxfp8e5m2";
        case MxElement::E3M2: return "mxfp6e3m2";
        case MxElement::E2M3: return "mxfp6e2m3";
        case MxElement::E2M1: return "mxfp4";
      }
      break;
    case FormatKind::Smx: return "smx" + std::to_string(f.bits);
  }
  if (f.granularity == Granularity::PerChannel) s += "/ch";
  if (f.granularity == Granularity::PerGroup) s += "/g" + std::to_string(f.group_size);
  return s;
}

MiniFloat mx_element_minifloat(MxElement e) {
  CODA_CHECK(e != MxElement::Int8, "MXINT8 has no minifloat element");
  switch (e) {
    case MxElement::E4M3: return MiniFloat::E4M3;
    case MxElement::E5M2: return MiniFloat::E5M2;
    case MxElement::E3M2: return MiniFloat::E3M2;
    case MxElement::E2M3: return MiniFloat::E2M3;
    default: return MiniFloat::E2M1;
  }
}

int mx_element_emax(MxElement e) { return e == MxElement::Int8 ? 0 : minifloat_spec(mx_element_minifloat(e)).emax; }

}  // namespace coda::quant
