// workload::ScaleSimTopology: the layers of a SCALE-Sim v2 topology .csv, read with SCALE-Sim's rules.
//
// Two kinds of file, told apart by the header (the first line, otherwise skipped):
// - conv: `Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter,
//   Strides,` (a 9th number is a separate column stride). No padding: an ofmap side is
//   ceil((ifmap - filter + stride) / stride). A layer whose name contains "DP" is depthwise and
//   becomes one single-channel layer per channel, named <name>Channel_<i>, as SCALE-Sim does.
// - GEMM: `Layer, M, N, K,`; SCALE-Sim runs it as a conv with an M x K ifmap and N filters of 1 x K.
// Blank lines are skipped; the trailing comma is optional.
//
//   ScaleSimTopology t = load_scalesim_topology("topologies/Resnet50.csv");
//   t.layers[0].name;           // "Conv1"
//   t.layers[0].ofmap_pixels(); // 109 * 109
//   Problem p = to_problem(t.layers[0]);   // Timeloop's CNN-Layer (or GEMM) for the same layer
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "coda/workload/problem.h"

namespace coda::workload {

struct ScaleSimLayer {
  std::string name;
  int64_t ifmap_h = 1, ifmap_w = 1, filter_h = 1, filter_w = 1, channels = 1, num_filters = 1;
  int64_t stride_h = 1, stride_w = 1;
  bool gemm = false;  // from an M, N, K row: ifmap_h = M, ifmap_w = filter_w = K, num_filters = N
  int line = 0;       // line of the .csv it came from

  int64_t ofmap_h() const { return (ifmap_h - filter_h + stride_h + stride_h - 1) / stride_h; }
  int64_t ofmap_w() const { return (ifmap_w - filter_w + stride_w + stride_w - 1) / stride_w; }
  int64_t ofmap_pixels() const { return ofmap_h() * ofmap_w(); }  // per filter
  int64_t window_size() const { return filter_h * filter_w * channels; }
  int64_t macs() const { return ofmap_pixels() * num_filters * window_size(); }
};

struct ScaleSimTopology {
  std::string name;  // the file name without directory and extension, as SCALE-Sim names it
  bool gemm = false;
  std::vector<ScaleSimLayer> layers;
};

// Throws IoError when the file cannot be read, ParseError("<path>:<line>", ...) on a row with too few
// fields or a field that is not an integer, InvalidError("<path>:<line>", ...) on a zero dimension, a
// filter larger than its ifmap, a field above 2^31-1, a layer of more than 2^60 MACs, or depthwise
// layers expanding to more than 2^20 layers.
ScaleSimTopology load_scalesim_topology(const std::string& path);
ScaleSimTopology parse_scalesim_topology(std::string_view text, const std::string& where);

// The layer as a Problem: conv_problem (N = 1, K = filters, C = channels, P/Q = ofmap width/height,
// R/S = filter width/height, strides) or, for a GEMM row, gemm_problem(M, N, K).
Problem to_problem(const ScaleSimLayer& layer);

}  // namespace coda::workload
