#include "coda/onnx/import.h"

#include <gtest/gtest.h>

#include "coda/exec/executor.h"
#include "coda/onnx/export.h"
#include "model_builder.h"

using coda::testing::ModelBuilder;
namespace cg = coda::graph;

namespace {

// y = Relu(x @ W + b) with a Reshape whose target is computed by Shape/Gather/Concat plumbing.
ModelBuilder mlp_with_plumbing() {
  ModelBuilder b(13);
  b.input("x", {-1, 2, 2});
  b.output("y", {-1, 3});
  b.init("W", {4, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1});
  b.init("bias", {3}, {0.5f, -10.f, 0.f});
  b.init_i64("idx0", {0});
  b.init_i64("minus1", {-1});
  b.node("Shape", {"x"}, {"s"});
  auto* gth = b.node("Gather", {"s", "idx0"}, {"n"});
  ModelBuilder::attr_int(gth, "axis", 0);
  auto* cat = b.node("Concat", {"n", "minus1"}, {"shape"});
  ModelBuilder::attr_int(cat, "axis", 0);
  b.node("Reshape", {"x", "shape"}, {"flat"});
  b.node("MatMul", {"flat", "W"}, {"mm"});
  b.node("Add", {"mm", "bias"}, {"pre"});
  b.node("Relu", {"pre"}, {"y"});
  return b;
}

TEST(OnnxImport, ReadsNodesValuesAndAttributes) {
  cg::Graph g = coda::onnx::import_bytes(mlp_with_plumbing().bytes(), "mem.onnx");
  EXPECT_EQ(g.opset(), 13);
  EXPECT_EQ(g.nodes().size(), 7u);
  ASSERT_EQ(g.inputs().size(), 1u);
  const auto& x = g.value(g.inputs()[0]);
  EXPECT_EQ(x.name, "x");
  EXPECT_EQ(x.shape, (coda::Shape{-1, 2, 2}));
  EXPECT_EQ(x.dim_params[0], "batch");
  EXPECT_TRUE(g.value(g.find("W")).is_constant());
  EXPECT_EQ(g.nodes()[1].i("axis"), 0);
  EXPECT_EQ(g.nodes()[1].i("_opset"), 13);
}

TEST(OnnxImport, PlumbingFoldsOnceTheBatchIsBound) {
  cg::Graph g = coda::onnx::import_bytes(mlp_with_plumbing().bytes(), "mem.onnx");
  coda::exec::prepare(g);
  EXPECT_EQ(g.nodes().size(), 7u);  // the batch is symbolic: Shape cannot fold yet
  coda::exec::specialize(g, 5);
  ASSERT_EQ(g.nodes().size(), 4u);  // Reshape, MatMul, Add, Relu remain
  EXPECT_EQ(g.nodes()[0].op, cg::OpKind::Reshape);
  EXPECT_EQ(g.value(g.outputs()[0]).shape, (coda::Shape{5, 3}));
}

TEST(OnnxImport, ExecutesWithHandComputedValues) {
  coda::exec::Executor ex(coda::onnx::import_bytes(mlp_with_plumbing().bytes(), "mem.onnx"), {.threads = 1});
  coda::Tensor x = coda::Tensor::from_vector<float>({1, 2, 3, 4, -1, -2, -3, -4}, {2, 2, 2});
  coda::Tensor y = ex.run(std::vector<coda::Tensor>{x}).at(0);
  ASSERT_EQ(y.shape(), (coda::Shape{2, 3}));
  // row0: [1+4, 2+4, 3+4] + bias = [5.5, -4, 7]; relu -> [5.5, 0, 7]; row1: [-5,-6,-7]+b -> [0,0,0]
  std::vector<float> want{5.5f, 0, 7, 0, 0, 0};
  for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(y.data<float>()[i], want[static_cast<size_t>(i)]) << i;
}

TEST(OnnxImport, ExportRoundTripKeepsTheGraph) {
  cg::Graph g = coda::onnx::import_bytes(mlp_with_plumbing().bytes(), "mem.onnx");
  cg::Graph g2 = coda::onnx::import_bytes(coda::onnx::export_bytes(g), "round.onnx");
  ASSERT_EQ(g2.nodes().size(), g.nodes().size());
  for (size_t i = 0; i < g.nodes().size(); ++i) EXPECT_EQ(g2.nodes()[i].op, g.nodes()[i].op);
  EXPECT_EQ(g2.value(g2.find("W")).constant->to_f32_vector(), g.value(g.find("W")).constant->to_f32_vector());
}

TEST(OnnxImport, NodesOutOfOrderAreSorted) {
  ModelBuilder b;
  b.input("x", {2});
  b.output("z", {2});
  b.node("Relu", {"y"}, {"z"});
  b.node("Neg", {"x"}, {"y"});
  cg::Graph g = coda::onnx::import_bytes(b.bytes(), "m");
  EXPECT_EQ(g.nodes()[0].op, cg::OpKind::Neg);
}

template <class E> void expect_error(const std::string& bytes, const std::string& substr) {
  try {
    coda::onnx::import_bytes(bytes, "bad.onnx");
    ADD_FAILURE() << "no error; expected " << substr;
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(substr), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bad.onnx"), std::string::npos) << e.what();
  }
}

TEST(OnnxImportErrors, EmptyRandomAndTruncatedBytes) {
  expect_error<coda::ParseError>("", "empty file");
  std::string r;
  uint32_t s = 12345;
  for (int i = 0; i < 4096; ++i) r.push_back(static_cast<char>((s = s * 1664525u + 1013904223u) >> 24));
  try {
    coda::onnx::import_bytes(r, "bad.onnx");
    ADD_FAILURE() << "random bytes imported";
  } catch (const coda::Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.onnx"), std::string::npos);
  }
  std::string good = mlp_with_plumbing().bytes();
  for (size_t cut : {size_t(1), good.size() / 3, good.size() / 2, good.size() - 3}) {
    try {
      cg::Graph g = coda::onnx::import_bytes(good.substr(0, cut), "bad.onnx");
      coda::exec::prepare(g);
      ADD_FAILURE() << "truncated at " << cut << " imported";
    } catch (const coda::Error& e) {
      EXPECT_NE(std::string(e.what()).find("bad.onnx"), std::string::npos);
    }
  }
}

TEST(OnnxImportErrors, UnsupportedOpDanglingInputCycle) {
  ModelBuilder u;
  u.input("x", {2});
  u.output("y");
  u.node("HardSwishy", {"x"}, {"y"});
  expect_error<coda::UnsupportedError>(u.bytes(), "op 'HardSwishy' is not supported");

  ModelBuilder d;
  d.input("x", {2});
  d.output("y");
  d.node("Add", {"x", "nowhere"}, {"y"});
  expect_error<coda::InvalidError>(d.bytes(), "input 'nowhere' is not defined");

  ModelBuilder c;
  c.input("x", {2});
  c.output("y");
  c.node("Add", {"x", "z"}, {"y"});
  c.node("Neg", {"y"}, {"z"});
  expect_error<coda::InvalidError>(c.bytes(), "cycle");

  ModelBuilder o(21);
  o.input("x", {2});
  o.output("y");
  o.node("Relu", {"x"}, {"y"});
  expect_error<coda::UnsupportedError>(o.bytes(), "opset 21");
}

TEST(OnnxImportErrors, InconsistentShapesFailAtPrepare) {
  ModelBuilder b;
  b.input("x", {2, 3});
  b.output("y");
  b.init("W", {4, 5}, std::vector<float>(20, 1.f));
  b.node("MatMul", {"x", "W"}, {"y"}, "mm");
  cg::Graph g = coda::onnx::import_bytes(b.bytes(), "bad.onnx");
  try {
    coda::exec::prepare(g);
    ADD_FAILURE() << "inconsistent shapes accepted";
  } catch (const coda::InvalidError& e) {
    EXPECT_NE(std::string(e.what()).find("node mm"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("inner dimensions 3 and 4"), std::string::npos) << e.what();
  }
}

TEST(OnnxImportErrors, InitializerWithTooFewValues) {
  ModelBuilder b;
  b.input("x", {2});
  b.output("y");
  b.init("W", {1000000, 1000000}, {1.f, 2.f});
  b.node("Add", {"x", "W"}, {"y"});
  expect_error<coda::ParseError>(b.bytes(), "has 2 values");
}

}  // namespace
