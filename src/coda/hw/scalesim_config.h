// hw::ScaleSimConfig: a systolic array as SCALE-Sim v2 describes it in its .cfg file (an INI file
// with [general], [architecture_presets] and [run_presets]), read with SCALE-Sim's own rules.
//
// Keys are case-insensitive, `key = value` and `key: value` both work, full-line `#`/`;` comments are
// skipped, unknown sections and keys are ignored (newer SCALE-Sim files carry [layout], [sparsity]).
// `Bandwidth` (words per cycle, one per memory bank) is required only with InterfaceBandwidth USER.
//
//   hw::ScaleSimConfig c = hw::load_scalesim_config("configs/scale.cfg");
//   c.array_rows;                  // 32
//   c.dataflow;                    // hw::SystolicDataflow::os
//   c.ifmap_sram_words();          // 65536 (SCALE-Sim's word is one byte)
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace coda::hw {

// Which operand stays in the processing elements: outputs, weights (filters) or inputs (ifmap).
enum class SystolicDataflow { os, ws, is };

// CALC: SCALE-Sim estimates the DRAM bandwidth a stall-free run needs; USER: the cfg's `Bandwidth`.
enum class InterfaceBandwidth { calc, user };

struct ScaleSimConfig {
  std::string run_name = "scale_run";
  int64_t array_rows = 4, array_cols = 4;  // ArrayHeight, ArrayWidth
  int64_t ifmap_sram_kb = 256, filter_sram_kb = 256, ofmap_sram_kb = 128;
  int64_t ifmap_offset = 0, filter_offset = 10000000, ofmap_offset = 20000000;
  SystolicDataflow dataflow = SystolicDataflow::ws;
  InterfaceBandwidth interface_bandwidth = InterfaceBandwidth::calc;
  std::vector<int64_t> bandwidth_words_per_cycle;  // `Bandwidth`; empty when not given
  int64_t memory_banks = 1;                        // `MemoryBanks`

  // SCALE-Sim's word is one byte: 1 kB of SRAM holds 1024 words.
  int64_t ifmap_sram_words() const { return ifmap_sram_kb * 1024; }
  int64_t filter_sram_words() const { return filter_sram_kb * 1024; }
  int64_t ofmap_sram_words() const { return ofmap_sram_kb * 1024; }
};

// Throws IoError when the file cannot be read, ParseError("<path>:<line>", ...) on a malformed line or
// value, ParseError("<path>", ...) on a missing key, InvalidError("<path>:<line>", ...) on a value
// out of range (a zero array size, an unknown dataflow or bandwidth mode).
ScaleSimConfig load_scalesim_config(const std::string& path);
ScaleSimConfig parse_scalesim_config(std::string_view text, const std::string& where);

const char* dataflow_name(SystolicDataflow d);  // "os", "ws", "is"
// Throws InvalidError(where, ...) unless `name` is os, ws or is (any case).
SystolicDataflow parse_dataflow(std::string_view name, const std::string& where);

}  // namespace coda::hw
