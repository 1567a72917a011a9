// Reads SCALE-Sim topology files the way its topology_utils.load_arrays_{conv,gemm} do.
#include "coda/workload/scalesim_topology.h"

#include "coda/core/file_io.h"

#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "coda/core/error.h"
#include "coda/workload/problem_shapes.h"

namespace coda::workload {

namespace {

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::vector<std::string_view> split_fields(std::string_view row) {
  std::vector<std::string_view> f;
  size_t pos = 0;
  while (true) {
    size_t c = row.find(',', pos);
    f.push_back(trim(row.substr(pos, c == std::string_view::npos ? std::string_view::npos : c - pos)));
    if (c == std::string_view::npos) break;
    pos = c + 1;
  }
  while (!f.empty() && f.back().empty()) f.pop_back();  // the trailing comma SCALE-Sim expects
  return f;
}

const char* const kConvColumns[] = {"Layer name",   "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width",
                                    "Channels",     "Num Filter",   "Stride Height", "Stride Width"};
const char* const kGemmColumns[] = {"Layer", "M", "N", "K"};

int64_t field(std::string_view text, const char* column, const std::string& at) {
  std::string_view t = text;
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size())
    throw ParseError(at, format("%s: '%s' is not an integer", column, std::string(text).c_str()));
  if (v < 1) throw InvalidError(at, format("%s is %lld, must be at least 1", column, (long long)v));
  if (v > INT32_MAX) throw InvalidError(at, format("%s is %lld, coda takes at most %d", column, (long long)v, INT32_MAX));
  return v;
}

// The layer's counts (window, ofmap pixels, MACs) in 64 bits with room for the cost model's sums.
void check_size(const ScaleSimLayer& l, const std::string& at) {
  constexpr int64_t kMaxMacs = int64_t{1} << 60;
  int64_t window = 0, pixels = 0, macs = 0;
  if (__builtin_mul_overflow(l.filter_h * l.filter_w, l.channels, &window) ||
      __builtin_mul_overflow(l.ofmap_h(), l.ofmap_w(), &pixels) || __builtin_mul_overflow(window, pixels, &macs) ||
      __builtin_mul_overflow(macs, l.num_filters, &macs) || macs > kMaxMacs)
    throw InvalidError(at, format("layer %s has more than 2^60 MACs", l.name.c_str()));
}

ScaleSimLayer conv_row(const std::vector<std::string_view>& f, const std::string& at) {
  if (f.size() < 8)
    throw ParseError(at, format("a conv row needs 8 fields (name, ifmap h/w, filter h/w, channels, filters, "
                                "stride), got %zu", f.size()));
  ScaleSimLayer l;
  l.name = std::string(f[0]);
  int64_t* dst[] = {&l.ifmap_h, &l.ifmap_w, &l.filter_h, &l.filter_w, &l.channels, &l.num_filters, &l.stride_h};
  for (int i = 0; i < 7; ++i) *dst[i] = field(f[i + 1], kConvColumns[i + 1], at);
  l.stride_w = f.size() >= 9 ? field(f[8], kConvColumns[8], at) : l.stride_h;
  if (l.filter_h > l.ifmap_h)
    throw InvalidError(at, format("filter height %lld is larger than ifmap height %lld", (long long)l.filter_h,
                                  (long long)l.ifmap_h));
  if (l.filter_w > l.ifmap_w)
    throw InvalidError(at, format("filter width %lld is larger than ifmap width %lld", (long long)l.filter_w,
                                  (long long)l.ifmap_w));
  check_size(l, at);
  return l;
}

ScaleSimLayer gemm_row(const std::vector<std::string_view>& f, const std::string& at) {
  if (f.size() < 4) throw ParseError(at, format("a GEMM row needs 4 fields (name, M, N, K), got %zu", f.size()));
  ScaleSimLayer l;
  l.name = std::string(f[0]);
  int64_t m = field(f[1], kGemmColumns[1], at), n = field(f[2], kGemmColumns[2], at);
  int64_t k = field(f[3], kGemmColumns[3], at);
  l.ifmap_h = m;
  l.ifmap_w = l.filter_w = k;
  l.num_filters = n;
  l.gemm = true;
  check_size(l, at);
  return l;
}

std::string stem(const std::string& where) {
  std::string base = std::filesystem::path(where).filename().string();
  size_t dot = base.rfind('.');
  return dot == std::string::npos ? base : base.substr(0, dot);
}

}  // namespace

ScaleSimTopology parse_scalesim_topology(std::string_view text, const std::string& where) {
  constexpr int64_t kMaxLayers = int64_t{1} << 20;
  ScaleSimTopology t;
  t.name = stem(where);
  bool header_seen = false;
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view row = trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    std::string at = where + ":" + std::to_string(line_no);
    if (!header_seen) {  // SCALE-Sim skips the first line whatever it says; coda reads the kind from it
      header_seen = true;
      std::vector<std::string_view> h = split_fields(row);
      t.gemm = h.size() >= 4 && (h[1] == "M" || h[1] == "m") && (h[2] == "N" || h[2] == "n");
      continue;
    }
    if (row.empty()) continue;
    std::vector<std::string_view> f = split_fields(row);
    ScaleSimLayer l = t.gemm ? gemm_row(f, at) : conv_row(f, at);
    l.line = line_no;
    if (!t.gemm && l.name.find("DP") != std::string::npos) {
      int64_t channels = l.channels;
      if (channels > kMaxLayers - static_cast<int64_t>(t.layers.size()))
        throw InvalidError(at, format("depthwise layer %s has %lld channels, one layer each: more than the %lld layers "
                                      "coda reads", l.name.c_str(), (long long)channels, (long long)kMaxLayers));
      for (int64_t c = 0; c < channels; ++c) {
        ScaleSimLayer d = l;
        d.name = l.name + "Channel_" + std::to_string(c);
        d.channels = 1;
        t.layers.push_back(std::move(d));
      }
    } else {
      t.layers.push_back(std::move(l));
    }
  }
  if (!header_seen) throw ParseError(where, "empty topology file (expected a header line)");
  if (t.layers.empty()) throw ParseError(where, "topology has a header but no layers");
  return t;
}

ScaleSimTopology load_scalesim_topology(const std::string& path) {
  return parse_scalesim_topology(read_file(path), path);
}

Problem to_problem(const ScaleSimLayer& l) {
  if (l.gemm) return gemm_problem({.M = l.ifmap_h, .N = l.num_filters, .K = l.ifmap_w});
  return conv_problem({.N = 1, .K = l.num_filters, .C = l.channels, .P = l.ofmap_w(), .Q = l.ofmap_h(),
                       .R = l.filter_w, .S = l.filter_h, .Wstride = l.stride_w, .Hstride = l.stride_h});
}

}  // namespace coda::workload
