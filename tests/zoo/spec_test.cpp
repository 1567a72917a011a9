// zoo::parse_spec, zoo::names and the errors for unknown models and bad parameters.
#include <gtest/gtest.h>

#include "coda/zoo/zoo.h"

namespace coda::zoo {
namespace {

// Text `s` contains `part` (gtest without gmock).
#define EXPECT_CONTAINS(s, part) \
  EXPECT_NE(std::string(s).find(part), std::string::npos) << "'" << (s) << "' does not contain '" << (part) << "'"

TEST(ZooSpec, ParsesNameAndParams) {
  ModelSpec s = parse_spec("zoo:bert-base?seq=64&layers=2");
  EXPECT_EQ(s.name, "bert-base");
  EXPECT_EQ(s.params, (std::map<std::string, std::string>{{"seq", "64"}, {"layers", "2"}}));
  ModelSpec t = parse_spec("resnet18");
  EXPECT_EQ(t.name, "resnet18");
  EXPECT_TRUE(t.params.empty());
}

TEST(ZooSpec, MalformedSpecsRaiseParseErrors) {
  auto message = [](const std::string& spec) {
    try {
      parse_spec(spec);
    } catch (const ParseError& e) {
      EXPECT_EQ(e.where(), spec);
      return e.message();
    }
    return std::string("no error");
  };
  EXPECT_CONTAINS(message("zoo:"), "no model name");
  EXPECT_CONTAINS(message("zoo:?seq=3"), "no model name");
  EXPECT_CONTAINS(message("zoo:bert-base?seq"), "'seq' is not of the form key=value");
  EXPECT_CONTAINS(message("zoo:bert-base?=3"), "not of the form key=value");
  EXPECT_CONTAINS(message("zoo:bert-base?seq=3&seq=4"), "'seq' is given twice");
}

TEST(ZooSpec, NamesListsEveryModelSorted) {
  std::vector<std::string> expected{"bert-base", "cnn", "decoder", "gcn", "gpt2", "mlp", "mobilenetv2",
                                    "resnet18", "resnet50", "vit", "vit-b16"};
  EXPECT_EQ(names(), expected);
  EXPECT_CONTAINS(describe("gpt2"), "mode=prefill");
  EXPECT_CONTAINS(describe("gpt2"), "seed=0");
}

std::string build_error(const std::string& name, const std::map<std::string, std::string>& params) {
  try {
    build(name, params);
  } catch (const InvalidError& e) {
    return e.where() + ": " + e.message();
  }
  return "no error";
}

TEST(ZooSpec, UnknownModelListsValidNames) {
  std::string m = build_error("resnet19", {});
  EXPECT_CONTAINS(m, "unknown model 'resnet19'");
  EXPECT_CONTAINS(m, "resnet18");
  EXPECT_CONTAINS(m, "vit-b16");
}

TEST(ZooSpec, BadParametersNameTheValidOnes) {
  std::string m = build_error("bert-base", {{"sequence", "64"}});
  EXPECT_CONTAINS(m, "zoo:bert-base: unknown parameter 'sequence'");
  EXPECT_CONTAINS(m, "seq=128");
  EXPECT_CONTAINS(m, "seed=0");
  EXPECT_CONTAINS(build_error("bert-base", {{"seq", "abc"}}), "seq='abc' is not an integer");
  EXPECT_CONTAINS(build_error("bert-base", {{"seq", "12x"}}), "is not an integer");
  EXPECT_CONTAINS(build_error("bert-base", {{"seq", "0"}}), "seq=0 is out of range");
  EXPECT_CONTAINS(build_error("bert-base", {{"heads", "5"}}), "not a multiple of heads=5");
  EXPECT_CONTAINS(build_error("gpt2", {{"mode", "train"}}), "mode='train' must be one of prefill|decode");
  EXPECT_CONTAINS(build_error("gpt2", {{"mode", "decode"}, {"seq", "1024"}}), "out of range");
  EXPECT_CONTAINS(build_error("gcn", {{"batch", "2"}}), "unknown parameter 'batch'");
  EXPECT_CONTAINS(build_error("cnn", {{"seed", "-1"}}), "out of range");
}

TEST(ZooSpec, BuildSpecAppliesParams) {
  graph::Graph g = build_spec("zoo:bert-base?seq=16&layers=1&batch=3");
  EXPECT_EQ(g.value(g.inputs()[0]).shape, (Shape{3, 16, 768}));
}

}  // namespace
}  // namespace coda::zoo
