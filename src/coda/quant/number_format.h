// coda::quant::NumberFormat: a value describing how numbers are quantized, parsed from short names.
//
// Kinds:
//   Int  INT-b, b = 2..16. Symmetric: zero point 0, codes in [-(2^(b-1)-1), 2^(b-1)-1] (the ONNX
//        Runtime symmetric convention, e.g. +-127 for int8; -2^(b-1) is never produced). Asymmetric:
//        unsigned codes in [0, 2^b-1] with a zero point. Rounding is half-to-even.
//   Fp8  E4M3 ("fn": max 448, no inf) or E5M2 (max 57344), scaled by a float scale, saturating.
//   Mx   OCP Microscaling v1.0: blocks of 32 along `axis` share an E8M0 (power-of-two) scale;
//        elements are FP8 E4M3/E5M2, FP6 E3M2/E2M3, FP4 E2M1 or INT8 (k/64, k in [-127, 127]).
//   Smx  PINTA's square-block MX-INT: 4x4 blocks of a 2-D matrix share a power-of-two scale; INT8 or
//        INT12 mantissas.
// Int and Fp8 take a scale granularity: per tensor, per channel (along `axis`, default 0) or per
// group of `group_size` consecutive elements along `axis` (default -1, the reduction axis of a
// [out, in] weight).
//
//   NumberFormat f = parse_format("int4/g128");   // symmetric INT4, groups of 128 along the last axis
//   NumberFormat g = parse_format("uint8");       // asymmetric INT8 (same as "int8/asym")
//   format_name(parse_format("int8/ch")) == "int8/ch";
//   parse_format("int17");                        // throws ParseError naming "int17"
#pragma once
#include <cstdint>
#include <string>

#include "coda/quant/minifloat.h"

namespace coda::quant {

enum class FormatKind { Int, Fp8, Mx, Smx };
enum class Granularity { PerTensor, PerChannel, PerGroup };
// MX element types; Int is MXINT8.
enum class MxElement { Int8, E4M3, E5M2, E3M2, E2M3, E2M1 };

struct NumberFormat {
  FormatKind kind = FormatKind::Int;
  int bits = 8;                 // Int: 2..16; Smx: 8 or 12; Fp8/Mx: element width (informative)
  bool asymmetric = false;      // Int only
  Granularity granularity = Granularity::PerTensor;  // Int and Fp8
  int axis = 0;                 // channel axis (per channel), group axis (per group), block axis (Mx)
  int64_t group_size = 0;       // per group only
  Fp8Kind fp8 = Fp8Kind::E4M3;  // Fp8 only
  MxElement element = MxElement::Int8;  // Mx only
  int64_t block_size = 32;      // Mx: 32 (OCP MX v1.0); Smx: 4 (4x4)

  bool operator==(const NumberFormat&) const = default;

  static NumberFormat int_format(int bits, bool asymmetric = false);
  static NumberFormat fp8_format(Fp8Kind kind);
  static NumberFormat mx_format(MxElement element);
  static NumberFormat smx_format(int bits);
  // The same format with per-channel / per-group scales.
  NumberFormat per_channel(int axis = 0) const;
  NumberFormat per_group(int64_t group_size, int axis = -1) const;

  bool is_block_format() const { return kind == FormatKind::Mx || kind == FormatKind::Smx; }
  // Int: largest code magnitude of the symmetric range, or 2^b-1 for asymmetric.
  int64_t qmax() const;
  int64_t qmin() const;
};

// Parses "int8", "int4/g128", "int8/ch", "uint8", "int8/asym", "fp8e4m3", "fp8e5m2", "mxint8",
// "mxfp8e4m3", "mxfp8e5m2", "mxfp6e3m2", "mxfp6e2m3", "mxfp4", "smx8", "smx12". Modifiers after '/':
// "ch" (per channel, axis 0), "g<N>" (groups of N, N >= 1, along the last axis), "asym", "sym".
NumberFormat parse_format(const std::string& text);
// The canonical name, which parse_format reads back to an equal format (for the default axes).
std::string format_name(const NumberFormat& f);

MiniFloat mx_element_minifloat(MxElement e);  // CODA_CHECKs e != Int8
// emax of the element format: exponent of its largest normal (INT8 in MX: 0, as 127/64 < 2).
int mx_element_emax(MxElement e);

}  // namespace coda::quant
