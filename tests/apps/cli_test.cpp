// Runs the `coda` binary as a user would and checks its output, errors and exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "../cli_util.h"
#include "../onnx/model_builder.h"

namespace fs = std::filesystem;
using coda::testing::ModelBuilder;
using namespace coda::test;

namespace {

fs::path tmpfile(const std::string& name, const std::string& bytes) {
  fs::path p = fs::temp_directory_path() / ("coda_cli_" + std::to_string(getpid())) / name;
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

TEST(CliErrors, MissingFile) {
  expect_one_line_error(run_coda("inspect /nonexistent/model.onnx"), "/nonexistent/model.onnx", "cannot open");
}

TEST(CliErrors, RandomBytesAndTruncatedModel) {
  std::string junk;
  for (int i = 0; i < 3000; ++i) junk.push_back(static_cast<char>((i * 7919) % 251));
  auto p = tmpfile("junk.onnx", junk);
  expect_one_line_error(run_coda("inspect " + p.string()), p.string(), "");
  std::string good = slurp(fs::path(CODA_SOURCE_DIR) / "models/cnn.onnx");
  ASSERT_GT(good.size(), 1000u);
  auto t = tmpfile("trunc.onnx", good.substr(0, good.size() / 2));
  expect_one_line_error(run_coda("inspect " + t.string()), t.string(), "");
}

TEST(CliErrors, UnsupportedOpDanglingInputInconsistentShape) {
  ModelBuilder u;
  u.input("x", {2});
  u.output("y");
  u.node("HardSwishy", {"x"}, {"y"}, "weird");
  auto pu = tmpfile("unsupported.onnx", u.bytes());
  expect_one_line_error(run_coda("inspect " + pu.string()), "node weird", "op 'HardSwishy' is not supported");

  ModelBuilder d;
  d.input("x", {2});
  d.output("y");
  d.node("Add", {"x", "ghost"}, {"y"}, "adder");
  auto pd = tmpfile("dangling.onnx", d.bytes());
  expect_one_line_error(run_coda("run " + pd.string() + " --dataset fashion-mnist"), "node adder", "input 'ghost' is not defined");

  ModelBuilder s;
  s.input("x", {2, 3});
  s.output("y");
  s.init("W", {4, 5}, std::vector<float>(20, 1.f));
  s.node("MatMul", {"x", "W"}, {"y"}, "mm");
  auto ps = tmpfile("shape.onnx", s.bytes());
  expect_one_line_error(run_coda("inspect " + ps.string()), "node mm", "inner dimensions 3 and 4 differ");
}

TEST(CliErrors, BadFlags) {
  expect_one_line_error(run_coda("run zoo:nosuchmodel --dataset fashion-mnist"), "nosuchmodel", "");
  expect_one_line_error(run_coda("run " + std::string(CODA_SOURCE_DIR) + "/models/cnn.onnx --dataset imagenet"), "--dataset",
                        "unknown dataset");
  Outcome r = run_coda("inspect");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.rfind("coda: error: ", 0), 0u) << r.err;
}

TEST(Cli, RunOnNpyInputsWritesNpyOutput) {
  std::string src = CODA_SOURCE_DIR;
  fs::path out = fs::temp_directory_path() / ("coda_cli_" + std::to_string(getpid())) / "out.npy";
  Outcome r = run_coda("run " + src + "/models/cnn.onnx --input " + src + "/models/samples/cnn_input.npy -o " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(out));
  EXPECT_GT(fs::file_size(out), 4u * 10 * 4);
}

TEST(Cli, InspectJsonHasLayersAndTotals) {
  Outcome r = run_coda("inspect " + std::string(CODA_SOURCE_DIR) + "/models/mlp.onnx --json");
  ASSERT_EQ(r.status, 0) << r.err;
  // 784*256 + 256*256 + 256*10 MACs; weights + biases params (closed form).
  EXPECT_NE(r.out.find("\"macs\": " + std::to_string(784 * 256 + 256 * 256 + 256 * 10)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"params\": " + std::to_string(784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10)),
            std::string::npos) << r.out;
}

// Acceptance: `coda run` reproduces every fixture's metric in models/fixtures.json (measured by the
// Python trainer in torch) on the full test set, within 0.1 percentage point / 0.05 dB.
TEST(Cli, RunReproducesEveryFixtureMetric) {
  std::string src = CODA_SOURCE_DIR;
  auto fixtures = nlohmann::json::parse(slurp(fs::path(src) / "models/fixtures.json"));
  int checked = 0;
  for (auto& [name, f] : fixtures.items()) {
    if (!f.is_object() || !f.contains("metric")) continue;
    Outcome r = run_coda("run " + src + "/models/" + f["file"].get<std::string>() + " --dataset " +
                     f["dataset"].get<std::string>() + " --json");
    ASSERT_EQ(r.status, 0) << name << ": " << r.err;
    auto got = nlohmann::json::parse(r.out);
    EXPECT_EQ(got["metric"], f["metric"]) << name;
    EXPECT_EQ(got["samples"], f["test_samples"]) << name;
    double tol = f["metric"] == "psnr_db" ? 0.05 : 0.001;
    EXPECT_NEAR(got["value"].get<double>(), f["value"].get<double>(), tol) << name;
    std::printf("[fixture] %-8s %s coda %.6f torch %.6f\n", name.c_str(), f["metric"].get<std::string>().c_str(),
                got["value"].get<double>(), f["value"].get<double>());
    ++checked;
  }
  EXPECT_EQ(checked, 5);
}

}  // namespace

namespace {

// `coda quantize`: the written model is the one evaluated, plans and bad input.
TEST(CliQuantize, WritesTheModelItEvaluates) {
  const std::string src = CODA_SOURCE_DIR;
  fs::path dir = fs::temp_directory_path() / ("coda_cli_" + std::to_string(getpid())) / "quant";
  fs::create_directories(dir);
  Outcome r = run_coda("quantize " + src + "/models/cnn.onnx --method gptq --weights int4/ch --acts uint8 --calib 64 --eval "
                   "--limit 500 --json -o " + (dir / "cnn_w4a8.onnx").string());
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["layers"].size(), 4u);
  for (auto& l : j["layers"]) {
    EXPECT_EQ(l["method"], "gptq");
    EXPECT_LT(l["error_gptq"].get<double>(), l["error_rtn"].get<double>()) << l["name"];
  }
  const double acc = j["eval"]["value"].get<double>();
  EXPECT_GT(acc, 0.85);  // float: 0.9126 on the full set
  Outcome run = run_coda("run " + (dir / "cnn_w4a8.onnx").string() + " --dataset fashion-mnist --limit 500 --json");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(nlohmann::json::parse(run.out)["value"].get<double>(), acc);

  // A reconstruction model written elsewhere still finds its encoder.
  Outcome d = run_coda("quantize " + src + "/models/decoder.onnx --method esca --weights int4/ch --acts uint4 --calib 64 -o " +
                   (dir / "decoder_esca.onnx").string());
  ASSERT_EQ(d.status, 0) << d.err;
  Outcome dr = run_coda("run " + (dir / "decoder_esca.onnx").string() + " --dataset fashion-mnist --limit 200 --json");
  ASSERT_EQ(dr.status, 0) << dr.err;
  EXPECT_EQ(nlohmann::json::parse(dr.out)["metric"], "psnr_db");

  Outcome list = run_coda("quantize " + src + "/models/cnn.onnx --list");
  ASSERT_EQ(list.status, 0);
  EXPECT_EQ(list.out, "/conv1/Conv\n/conv2/Conv\n/fc1/Gemm\n/fc2/Gemm\n");
}

TEST(CliQuantize, BadInputGivesOneLineErrors) {
  const std::string cnn = std::string(CODA_SOURCE_DIR) + "/models/cnn.onnx";
  expect_one_line_error(run_coda("quantize " + cnn + " --weights int17 -o /tmp/x.onnx"), "int17", "");
  expect_one_line_error(run_coda("quantize " + cnn + " --weights int4/g0 -o /tmp/x.onnx"), "int4/g0", "");
  expect_one_line_error(run_coda("quantize " + cnn + " --method awq -o /tmp/x.onnx"), "--method", "awq");
  expect_one_line_error(run_coda("quantize " + cnn + " --acts int12 --calib 8 -o /tmp/x.onnx"), "--acts", "2..8 bits");
  fs::path plan = tmpfile("plan.yaml", "layers:\n  /conv9/Conv: {weights: int8/ch}\n");
  expect_one_line_error(run_coda("quantize " + cnn + " --calib 8 --plan " + plan.string() + " -o /tmp/x.onnx"), "/conv9/Conv",
                        "not a quantizable layer");
  fs::path bad = tmpfile("bad_plan.yaml", "method: gptq\nweights: [int4\n");
  expect_one_line_error(run_coda("quantize " + cnn + " --plan " + bad.string() + " -o /tmp/x.onnx"), "bad_plan.yaml", "");
  // Calibration data of the wrong kind for the model (the digits graph's features into an image CNN).
  expect_one_line_error(run_coda("quantize " + cnn + " --dataset digits-graph -o /tmp/x.onnx"), "calibration", "no input named");
}

}  // namespace

namespace {

// Resource limits: work too large for the memory allowed fails early with the sizes, exit 2.
TEST(CliLimits, MemoryLimitNamesTheSize) {
  // ResNet-50's weights (~100 MB) do not fit in 16 MiB.
  auto r = run_coda("--memory-limit 16M inspect zoo:resnet50");
  expect_one_line_error(r, "memory", "memory limit of 16.0 MiB");
  // The option may follow the subcommand; the environment sets it too.
  expect_one_line_error(run_coda("inspect zoo:resnet50 --memory-limit 16M"), "memory", "16.0 MiB");
  expect_one_line_error(run_coda("inspect zoo:resnet50", "CODA_MEMORY_LIMIT=16M"), "memory", "16.0 MiB");
  // A model larger than the machine (a 32 GiB embedding), with no limit given: refused by size, not killed.
  r = run_coda("inspect 'zoo:gpt2?vocab=1048576&hidden=8192&heads=16&layers=1'");
  expect_one_line_error(r, "memory", "needs 32.0 GiB, more than the memory limit");
  expect_one_line_error(run_coda("--memory-limit 4X inspect zoo:cnn"), "--memory-limit", "not a size");
  // A design space whose model variants cannot all be held.
  const fs::path spec = tmpfile("big_space.yaml", "model: " + std::string(CODA_SOURCE_DIR) + "/models/vit.onnx\n"
                                                  "pruning: {keep: [1, 0.9, 0.8, 0.7, 0.6, 0.5], heads: [1, 0.75, 0.5], layers: [4, 3, 2, 1]}\n"
                                                  "hardware: {template: catransformers, knobs: {clusters: [1, 2]}}\n"
                                                  "objectives: [latency_s:min]\n");
  expect_one_line_error(run_coda("explore " + spec.string() + " --db " + (spec.parent_path() / "big.db").string() + " --memory-limit 2M"),
                        "memory", "72 model variants");
}

}  // namespace
