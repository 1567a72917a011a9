// SCALE-Sim .cfg reading: the shipped configs, configparser's syntax, and one-line errors that name
// the file and line.
#include <gtest/gtest.h>

#include "coda/core/error.h"
#include "coda/hw/scalesim_config.h"

namespace {

using namespace coda::hw;

const std::string kData = std::string(CODA_SOURCE_DIR) + "/tests/data/scalesim/configs/";

const char* kScale = R"([general]
run_name = scale_example_run_32x32_os

[architecture_presets]
ArrayHeight:    32
ArrayWidth:     32
IfmapSramSzkB:   64
FilterSramSzkB:  64
OfmapSramSzkB:   64
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : 10
Dataflow : os
MemoryBanks:   1

[run_presets]
InterfaceBandwidth: CALC
)";

TEST(ScaleSimConfig, ShippedConfigs) {
  ScaleSimConfig e = load_scalesim_config(kData + "eyeriss.cfg");
  EXPECT_EQ(e.run_name, "eyeriss");
  EXPECT_EQ(e.array_rows, 12);
  EXPECT_EQ(e.array_cols, 14);
  EXPECT_EQ(e.ifmap_sram_kb, 36);
  EXPECT_EQ(e.dataflow, SystolicDataflow::ws);
  EXPECT_EQ(e.interface_bandwidth, InterfaceBandwidth::calc);
  ScaleSimConfig g = load_scalesim_config(kData + "google.cfg");
  EXPECT_EQ(g.run_name, "GoogleTPU_v1_ws");
  EXPECT_EQ(g.array_rows, 256);
  EXPECT_EQ(g.ofmap_sram_words(), 2048 * 1024);
  ScaleSimConfig s = load_scalesim_config(kData + "scale.cfg");
  EXPECT_EQ(s.dataflow, SystolicDataflow::os);
  EXPECT_EQ(s.filter_offset, 10000000);
  EXPECT_EQ(s.bandwidth_words_per_cycle, std::vector<int64_t>{10});
  EXPECT_EQ(s.memory_banks, 1);
}

TEST(ScaleSimConfig, ConfigParserSyntax) {
  // Case-insensitive keys, '=' or ':', comments, unknown sections and keys ignored, USER bandwidth list.
  ScaleSimConfig c = parse_scalesim_config(R"(# a comment
[general]
RUN_NAME: x
[architecture_presets]
arrayheight = 8
ARRAYWIDTH = 16
ifmapsramszkb = 1
filtersramszkb = 2
ofmapsramszkb = 3
ifmapoffset = 0
filteroffset = 1
ofmapoffset = 2
dataflow = IS
bandwidth = 20, 30
; another comment
ReadRequestBuffer: 32
[layout]
anything = goes
[run_presets]
InterfaceBandwidth = USER
)",
                                           "x.cfg");
  EXPECT_EQ(c.run_name, "x");
  EXPECT_EQ(c.array_rows, 8);
  EXPECT_EQ(c.array_cols, 16);
  EXPECT_EQ(c.dataflow, SystolicDataflow::is);
  EXPECT_EQ(c.interface_bandwidth, InterfaceBandwidth::user);
  EXPECT_EQ(c.bandwidth_words_per_cycle, (std::vector<int64_t>{20, 30}));
}

// The error's where and what, as the CLI prints them: `coda: error: <where>: <what>`.
template <class E>
void expect_error(const std::string& text, const std::string& where, const std::string& what) {
  try {
    parse_scalesim_config(text, "bad.cfg");
    FAIL() << "no error for " << what;
  } catch (const E& e) {
    EXPECT_EQ(e.where(), where) << e.what();
    EXPECT_NE(e.message().find(what), std::string::npos) << e.what();
  }
}

std::string with(const std::string& from, const std::string& to, std::string s = kScale) {
  size_t p = s.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  return s.replace(p, from.size(), to);
}

TEST(ScaleSimConfig, Errors) {
  expect_error<coda::InvalidError>(with("ArrayHeight:    32", "ArrayHeight: 0"), "bad.cfg:5", "ArrayHeight is 0");
  expect_error<coda::ParseError>(with("ArrayWidth:     32", "ArrayWidth: 3x2"), "bad.cfg:6", "not an integer");
  expect_error<coda::InvalidError>(with("Dataflow : os", "Dataflow : rs"), "bad.cfg:14", "unknown dataflow 'rs'");
  expect_error<coda::InvalidError>(with("InterfaceBandwidth: CALC", "InterfaceBandwidth: FAST"), "bad.cfg:18",
                                   "expected CALC or USER");
  expect_error<coda::ParseError>(with("OfmapSramSzkB:   64\n", ""), "bad.cfg", "has no OfmapSramSzkB");
  expect_error<coda::ParseError>(with("[run_presets]\nInterfaceBandwidth: CALC\n", ""), "bad.cfg",
                                 "no [run_presets] section");
  expect_error<coda::ParseError>(with("MemoryBanks:   1", "MemoryBanks 1"), "bad.cfg:15", "expected 'key = value'");
  expect_error<coda::ParseError>(with("MemoryBanks:   1", "ArrayHeight: 4"), "bad.cfg:15", "appears twice");
  expect_error<coda::ParseError>(std::string("x = 1\n") + kScale, "bad.cfg:1", "before any [section]");
  expect_error<coda::ParseError>(with("CALC", "USER", with("Bandwidth : 10\n", "")), "bad.cfg", "no Bandwidth");
}

TEST(ScaleSimConfig, MissingFile) {
  try {
    load_scalesim_config("/nonexistent/scale.cfg");
    FAIL() << "no error";
  } catch (const coda::IoError& e) {
    EXPECT_EQ(e.where(), "/nonexistent/scale.cfg");
  }
  EXPECT_THROW(load_scalesim_config(kData), coda::IoError);  // a directory
}

TEST(ScaleSimConfig, DataflowNames) {
  EXPECT_EQ(parse_dataflow("WS", "flag"), SystolicDataflow::ws);
  EXPECT_STREQ(dataflow_name(SystolicDataflow::is), "is");
  EXPECT_THROW(parse_dataflow("rs", "--dataflow"), coda::InvalidError);
}

}  // namespace
