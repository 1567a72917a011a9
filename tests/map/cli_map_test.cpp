// `coda evaluate --timeloop` and `coda map --timeloop` run end to end on the exercises, and bad
// inputs give one line `coda: error: <where>: <what>` naming the level and data space, exit 2.
// Runs the built `coda` binary (skipped if it has not been built yet).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int code;
  std::string out;
};

std::string coda() { return std::string(CODA_BINARY_DIR) + "/apps/coda/coda"; }
std::string data(const std::string& rel) { return std::string(CODA_SOURCE_DIR) + "/tests/data/timeloop/" + rel; }

Outcome run(const std::string& args) {
  std::string cmd = coda() + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string temp_file(const std::string& name, const std::string& text) {
  fs::path dir = fs::temp_directory_path() / "coda_cli_map_test";
  fs::create_directories(dir);
  std::ofstream(dir / name) << text;
  return (dir / name).string();
}

class CliMap : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(coda())) GTEST_SKIP() << "build the coda target first";
  }
  std::string ex2(const std::string& map) {
    std::string e = data("02-model-conv1d+oc-2level/");
    return "--timeloop " + e + "prob/conv1d+oc.prob.yaml " + e + "arch/2level.arch.yaml " + e + "arch/ERT.yaml " + e +
           "arch/ART.yaml " + map;
  }
  void expect_one_line_error(const Outcome& r, const std::vector<std::string>& parts) {
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_EQ(r.out.rfind("coda: error: ", 0), 0u) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    for (const std::string& s : parts) EXPECT_NE(r.out.find(s), std::string::npos) << s << " in: " << r.out;
  }
};

TEST_F(CliMap, EvaluatePrintsTimeloopsNumbers) {
  Outcome r = run("evaluate " + ex2(data("02-model-conv1d+oc-2level/map/conv1d+oc-2level-os-tiled.map.yaml")));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("cycles 1536, energy 8069.79 pJ (5.254 pJ/MAC)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Buffer [ Weights:6 Inputs:3 Outputs:2 ]"), std::string::npos) << r.out;
  Outcome j = run("evaluate --json " + ex2(data("02-model-conv1d+oc-2level/map/conv1d+oc-2level-os-tiled.map.yaml")));
  ASSERT_EQ(j.code, 0) << j.out;
  EXPECT_NE(j.out.find("\"cycles\": 1536"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"name\": \"Inputs\", \"tile\": 3, \"partition\": 18, \"reads\": 1536, \"fills\": 288"),
            std::string::npos) << j.out;
}

TEST_F(CliMap, MapFindsTheExercise5Optimum) {
  std::string e = data("05-mapper-conv1d+oc-3level/");
  Outcome r = run("map --timeloop --threads 2 " + e + "prob/conv1d+oc.prob.yaml " + e + "arch/3level.arch.yaml " + e +
              "arch/ERT.yaml " + e + "constraints/null.constraints.yaml " + e + "mapper/exhaustive.mapper.yaml");
  ASSERT_EQ(r.code, 0) << r.out;
  // Timeloop's exhaustive mapper (ref-output/null) finds the same counts: 44450.06 pJ with this ERT.
  EXPECT_NE(r.out.find("cycles 1536, energy 44450.06 pJ"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("search: exhaustive"), std::string::npos) << r.out;
}

TEST_F(CliMap, MapsAWholeModel) {
  std::string e = data("06-mapper-convlayer-eyeriss/arch/");
  Outcome r = run("map zoo:mlp --threads 2 --arch " + e + "eyeriss_like.yaml --ert " + e + "ERT.yaml --art " + e + "ART.yaml");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("total: 3 layers, 268800 MACs"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("search: 3 distinct shapes"), std::string::npos) << r.out;
  Outcome j = run("map zoo:mlp --json --threads 2 --arch " + e + "eyeriss_like.yaml --ert " + e + "ERT.yaml");
  ASSERT_EQ(j.code, 0) << j.out;
  for (const char* key : {"\"layers\": [", "\"total\": {\"macs\": 268800", "\"energy_uj\"", "\"pj_per_mac\"", "\"area_mm2\"",
                          "\"utilization\"", "\"search\": {\"evaluated\"", "\"valid\"", "\"seconds\""})
    EXPECT_NE(j.out.find(key), std::string::npos) << key;
  expect_one_line_error(run("map zoo:mlp"), {"--arch"});
}

TEST_F(CliMap, ArchMayBeATemplate) {
  Outcome r = run("map zoo:mlp --threads 1 --arch gemmini?dim=8");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("total: 3 layers, 268800 MACs"), std::string::npos) << r.out;
  expect_one_line_error(run("map zoo:mlp --arch gemini"), {"gemini", "unknown template", "gemmini"});
  expect_one_line_error(run("map zoo:mlp --arch missing.yaml"), {"missing.yaml", "cannot open"});
}

TEST_F(CliMap, BadInputsGiveOneLineErrors) {
  expect_one_line_error(run("evaluate " + ex2(temp_file("bad.map.yaml", "mapping: [ {target: Buffer\n"))), {"bad.map.yaml", "line"});
  // A register file of 64 words cannot hold the untiled problem.
  std::string all_in_buffer = temp_file("big.map.yaml", "mapping:\n- {target: Buffer, type: temporal, factors: K=32 R=3 P=16}\n");
  expect_one_line_error(run("evaluate " + ex2(all_in_buffer)), {"big.map.yaml", "level Buffer", "Outputs"});
  // A layer larger than the 262144-word MainMemory.
  std::string e = data("02-model-conv1d+oc-2level/");
  std::string huge = temp_file("huge.prob.yaml", "problem:\n  shape: {name: C, dimensions: [K, R, P], data-spaces: ["
                                                 "{name: Weights, projection: [[[K]], [[R]]]}, {name: Inputs, projection: [[[R], [P]]]},"
                                                 "{name: Outputs, projection: [[[K]], [[P]]], read-write: true}]}\n"
                                                 "  instance: {K: 32, R: 3, P: 16384}\n");
  expect_one_line_error(run("map --timeloop " + huge + " " + e + "arch/2level.arch.yaml " + e + "arch/ERT.yaml"),
                        {"level MainMemory", "Outputs"});
  // A constraint that admits no mapping.
  std::string k7 = temp_file("k7.yaml", "mapspace_constraints:\n- {target: Buffer, type: temporal, factors: K=7}\n");
  expect_one_line_error(run("map " + ex2(k7)), {"dimension K", "Buffer K=7"});
  // Keeping a data space at a level the architecture constraints make bypass it.
  std::string conflict = temp_file("conflict.yaml", "architecture_constraints:\n- {target: Buffer, type: bypass, bypass: [Weights]}\n"
                                                    "mapspace_constraints:\n- {target: Buffer, type: bypass, keep: [Weights]}\n");
  expect_one_line_error(run("map " + ex2(conflict)), {"target Buffer", "Weights"});
  expect_one_line_error(run("map --timeloop " + e + "arch/2level.arch.yaml"), {"problem"});
}

}  // namespace
