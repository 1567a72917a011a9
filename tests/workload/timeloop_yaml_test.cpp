// Timeloop problem YAML: the public exercises' problem files parse to the problems they describe,
// coda's output has the same keys and nesting, and problems survive a write/parse round trip.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "coda/core/error.h"
#include "coda/workload/problem_shapes.h"
#include "coda/workload/timeloop_yaml.h"

namespace coda::workload {
namespace {

namespace fs = std::filesystem;
// Copies of the exercises' prob/*.yaml, named "<exercise>__<file>" (see data/timeloop/README.md).
const fs::path kExercises = fs::path(CODA_SOURCE_DIR) / "tests/workload/data/timeloop";

std::string read(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<fs::path> exercise_problems() {
  std::vector<fs::path> out;
  for (const auto& f : fs::directory_iterator(kExercises))
    if (f.path().extension() == ".yaml") out.push_back(f.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(TimeloopYaml, ParsesTheConv1dExercise) {
  fs::path f = kExercises / "00-model-conv1d-1level__conv1d.prob.yaml";
  Problem p = parse_timeloop_problem(read(f), f.string());
  EXPECT_EQ(p.name, "Conv1D");
  EXPECT_EQ(p.dims, (std::vector<std::string>{"R", "P"}));
  EXPECT_EQ(p.bounds, (std::vector<int64_t>{3, 16}));
  ASSERT_EQ(p.data_spaces.size(), 3u);
  EXPECT_EQ(p.data_spaces[1].name, "Inputs");
  ASSERT_EQ(p.data_spaces[1].projection.size(), 1u);
  EXPECT_EQ(p.data_spaces[1].projection[0], (Problem::Projection{{0, -1}, {1, -1}}));  // R + P
  EXPECT_EQ(p.data_space_size(1), 3 + 16 - 1);
  EXPECT_TRUE(p.data_spaces[2].read_write);
  EXPECT_EQ(p.macs(), 48);
}

TEST(TimeloopYaml, ParsesTheVggLayerAsCodasConvProblem) {
  fs::path f = kExercises / "06-mapper-convlayer-eyeriss__VGG02_layer5.yaml";
  Problem p = parse_timeloop_problem(read(f), f.string());
  EXPECT_EQ(p.macs(), int64_t{128} * 256 * 3 * 3 * 56 * 56);
  // Same layer from coda's factory (Timeloop's M is coda's K): equal per-data-space sizes.
  Problem q = conv_problem({.N = 1, .K = 256, .C = 128, .P = 56, .Q = 56, .R = 3, .S = 3});
  for (const char* ds : {"Weights", "Inputs", "Outputs"})
    EXPECT_EQ(p.data_space_size(p.data_space_index(ds)), q.data_space_size(q.data_space_index(ds))) << ds;
  EXPECT_EQ(p.data_space_size(p.data_space_index("Inputs")), 128 * 58 * 58);
  const Problem::Projection& w = p.data_spaces[p.data_space_index("Inputs")].projection[2];
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(p.dims[w[0].dim], "R");
  EXPECT_EQ(p.coefficients[w[0].coefficient].name, "Wdilation");
  EXPECT_EQ(p.dims[w[1].dim], "P");
  EXPECT_EQ(p.coefficients[w[1].coefficient].name, "Wstride");
}

TEST(TimeloopYaml, EveryExerciseRoundTrips) {
  std::vector<fs::path> files = exercise_problems();
  EXPECT_EQ(files.size(), 7u);
  for (const fs::path& f : files) {
    Problem p = parse_timeloop_problem(read(f), f.string());
    Problem q = parse_timeloop_problem(to_timeloop_yaml(p), "round trip of " + f.string());
    EXPECT_EQ(q, p) << f;
  }
}

// The set of key paths of a YAML tree (".problem.shape.data-spaces[].projection[][][]").
void key_paths(const YAML::Node& n, const std::string& at, std::set<std::string>& out) {
  out.insert(at);
  if (n.IsMap()) {
    for (const auto& kv : n) {
      std::string key = kv.first.as<std::string>();
      // Instance keys are dimension and coefficient names; only their presence matters.
      key_paths(kv.second, at == ".problem.instance" ? at + ".<bound>" : at + "." + key, out);
    }
  } else if (n.IsSequence()) {
    for (const auto& item : n) key_paths(item, at + "[]", out);
  }
}

TEST(TimeloopYaml, WritesTheExercisesKeysAndNesting) {
  fs::path f = kExercises / "06-mapper-convlayer-eyeriss__VGG02_layer5.yaml";
  std::set<std::string> theirs, ours;
  key_paths(YAML::LoadFile(f.string()), "", theirs);
  Problem q = conv_problem({.N = 1, .K = 256, .C = 128, .P = 56, .Q = 56, .R = 3, .S = 3});
  key_paths(YAML::Load(to_timeloop_yaml(q)), "", ours);
  EXPECT_EQ(ours, theirs);
  // And the 1-d exercises (no coefficients) against a conv1d-shaped problem of ours.
  fs::path f1 = kExercises / "04-model-conv1d+oc-3levelspatial__conv1d+oc+ic.prob.yaml";
  Problem p1 = parse_timeloop_problem(read(f1), f1.string());
  std::set<std::string> theirs1, ours1;
  key_paths(YAML::LoadFile(f1.string()), "", theirs1);
  key_paths(YAML::Load(to_timeloop_yaml(p1)), "", ours1);
  EXPECT_EQ(ours1, theirs1);
}

TEST(TimeloopYaml, CodaProblemsRoundTrip) {
  Problem grouped = conv_problem({.N = 2, .G = 4, .K = 3, .C = 5, .P = 7, .Q = 6, .R = 3, .S = 1, .Wstride = 2});
  Problem attention = gemm_problem({.B = 12, .M = 128, .N = 128, .K = 64, .inputs_batched = true, .weights_batched = true});
  Problem deconv = conv_transpose_problem({.N = 1, .K = 32, .C = 64, .P = 7, .Q = 7, .R = 4, .S = 4, .Wstride = 2, .Hstride = 2});
  for (const Problem& p : {grouped, attention, deconv})
    EXPECT_EQ(parse_timeloop_problem(to_timeloop_yaml(p), "rt"), p) << to_timeloop_yaml(p);
  EXPECT_NE(to_timeloop_yaml(grouped).find("Wstride: 2"), std::string::npos);
}

std::string parse_error(const std::string& text) {
  try {
    parse_timeloop_problem(text, "bad.yaml");
  } catch (const Error& e) {
    return e.where() + ": " + e.message();
  }
  return "no error";
}

TEST(TimeloopYaml, BadInputNamesTheProblem) {
  EXPECT_NE(parse_error("problem: [").find("bad.yaml:"), std::string::npos);
  EXPECT_NE(parse_error("problem: {instance: {R: 3}}").find("no problem.shape"), std::string::npos);
  EXPECT_NE(parse_error("problem: {shape: {dimensions: [R], data-spaces: [{name: W, projection: [[[X]]]}]}}")
                .find("'X', which is not a dimension"),
            std::string::npos);
  EXPECT_NE(parse_error("problem: {shape: {dimensions: [R], data-spaces: []}, instance: {Q: 3}}")
                .find("instance sets 'Q'"),
            std::string::npos);
  EXPECT_NE(parse_error("problem: {shape: {dimensions: [R], data-spaces: []}, instance: {R: 0}}").find("bound 0"),
            std::string::npos);
  EXPECT_NE(parse_error("problem: {shape: {dimensions: [R, R], data-spaces: []}}").find("declared twice"),
            std::string::npos);
}

}  // namespace
}  // namespace coda::workload
