// SCALE-Sim topology .csv reading: conv and GEMM files, SCALE-Sim's ofmap arithmetic and depthwise
// expansion, the Problem it maps to, and errors naming file and line.
#include <gtest/gtest.h>

#include "coda/core/error.h"
#include "coda/workload/scalesim_topology.h"

namespace {

using namespace coda::workload;

const std::string kData = std::string(CODA_SOURCE_DIR) + "/tests/data/scalesim/topologies/";
const std::string kConvHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";

TEST(ScaleSimTopology, Resnet50) {
  ScaleSimTopology t = load_scalesim_topology(kData + "Resnet50.csv");
  EXPECT_EQ(t.name, "Resnet50");
  EXPECT_FALSE(t.gemm);
  ASSERT_EQ(t.layers.size(), 54u);  // the blank lines are skipped
  const ScaleSimLayer& c1 = t.layers[0];
  EXPECT_EQ(c1.name, "Conv1");
  EXPECT_EQ(c1.line, 3);
  EXPECT_EQ(c1.stride_w, 2);
  EXPECT_EQ(c1.ofmap_h(), 110);  // ceil((224 - 7 + 2) / 2): SCALE-Sim does not pad
  EXPECT_EQ(c1.window_size(), 147);
  EXPECT_EQ(c1.macs(), 110LL * 110 * 64 * 147);
}

TEST(ScaleSimTopology, GemmFile) {
  ScaleSimTopology t = load_scalesim_topology(kData + "gpt2.csv");
  EXPECT_TRUE(t.gemm);
  ASSERT_EQ(t.layers.size(), 6u);
  const ScaleSimLayer& l = t.layers[2];  // Linear1,1024,4800,1600
  EXPECT_EQ(l.name, "Linear1");
  EXPECT_TRUE(l.gemm);
  EXPECT_EQ(l.ofmap_pixels(), 1024);  // M
  EXPECT_EQ(l.num_filters, 4800);     // N
  EXPECT_EQ(l.window_size(), 1600);   // K
  Problem p = to_problem(l);
  EXPECT_EQ(p.name, "GEMM");
  EXPECT_EQ(p.macs(), 1024LL * 4800 * 1600);
}

TEST(ScaleSimTopology, ConvProblemAndSeparateStrides) {
  ScaleSimTopology t = parse_scalesim_topology(kConvHeader + "a, 9, 8, 3, 2, 4, 5, 2, 3\n", "t.csv");
  const ScaleSimLayer& l = t.layers.at(0);
  EXPECT_EQ(l.stride_h, 2);
  EXPECT_EQ(l.stride_w, 3);
  EXPECT_EQ(l.ofmap_h(), 4);  // ceil((9 - 3 + 2) / 2)
  EXPECT_EQ(l.ofmap_w(), 3);  // ceil((8 - 2 + 3) / 3)
  Problem p = to_problem(l);
  EXPECT_EQ(p.macs(), l.macs());
  EXPECT_EQ(p.bound("P"), 3);
  EXPECT_EQ(p.bound("Q"), 4);
}

TEST(ScaleSimTopology, DepthwiseLayersSplitPerChannel) {
  ScaleSimTopology t = parse_scalesim_topology(kConvHeader + "DP1,8,8,3,3,3,1,1,\nc,8,8,1,1,3,4,1,\n", "t.csv");
  ASSERT_EQ(t.layers.size(), 4u);
  EXPECT_EQ(t.layers[0].name, "DP1Channel_0");
  EXPECT_EQ(t.layers[2].name, "DP1Channel_2");
  EXPECT_EQ(t.layers[2].channels, 1);
  EXPECT_EQ(t.layers[3].name, "c");
}

template <class E>
void expect_error(const std::string& text, const std::string& where, const std::string& what) {
  try {
    parse_scalesim_topology(text, "bad.csv");
    FAIL() << "no error for " << what;
  } catch (const E& e) {
    EXPECT_EQ(e.where(), where) << e.what();
    EXPECT_NE(e.message().find(what), std::string::npos) << e.what();
  }
}

TEST(ScaleSimTopology, Errors) {
  expect_error<coda::ParseError>(kConvHeader + "a,8,8,3,3,3,4,1,\nb,8,8,3,x,3,4,1,\n", "bad.csv:3",
                                 "Filter Width: 'x' is not an integer");
  expect_error<coda::ParseError>(kConvHeader + "a,8,8,3,3,\n", "bad.csv:2", "needs 8 fields");
  expect_error<coda::InvalidError>(kConvHeader + "a,8,8,3,3,0,4,1,\n", "bad.csv:2", "Channels is 0");
  expect_error<coda::InvalidError>(kConvHeader + "a,2,8,3,3,1,4,1,\n", "bad.csv:2", "filter height 3 is larger");
  expect_error<coda::ParseError>("Layer,M,N,K,\nq,4,4,\n", "bad.csv:2", "needs 4 fields");
  expect_error<coda::ParseError>("", "bad.csv", "empty topology");
  expect_error<coda::ParseError>(kConvHeader + "\n\n", "bad.csv", "no layers");
  EXPECT_THROW(load_scalesim_topology("/nonexistent/t.csv"), coda::IoError);
}

}  // namespace
