// The digits kNN graph: compared bit for bit with the numpy build in tests/data/make_digits_graph_ref.py
// (checksums in tests/data/digits_graph_ref.txt), a hand-worked 3-node graph, and malformed CSV files.
#include "coda/datasets/digits_graph.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace coda::datasets {
namespace {

namespace fs = std::filesystem;

// The reference file as key -> rest of line ("knn 3" and "row 3" are keys too).
std::map<std::string, std::string> read_reference() {
  std::ifstream in(std::string(CODA_SOURCE_DIR) + "/tests/data/digits_graph_ref.txt");
  std::map<std::string, std::string> ref;
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find(": ");
    if (colon != std::string::npos) {
      ref[line.substr(0, colon)] = line.substr(colon + 2);
    } else {
      size_t sp = line.find(' ');
      ref[line.substr(0, sp)] = line.substr(sp + 1);
    }
  }
  return ref;
}

std::vector<int64_t> ints(const std::string& s) {
  std::istringstream in(s);
  std::vector<int64_t> v;
  for (int64_t x; in >> x;) v.push_back(x);
  return v;
}

uint32_t crc(const Tensor& t) { return static_cast<uint32_t>(crc32(0, static_cast<const Bytef*>(t.raw()), t.nbytes())); }

class DigitsGraph : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    graph_ = new GraphDataset(load_digits_graph());
    ref_ = new std::map<std::string, std::string>(read_reference());
  }
  static void TearDownTestSuite() {
    delete graph_;
    delete ref_;
  }
  static GraphDataset* graph_;
  static std::map<std::string, std::string>* ref_;
};
GraphDataset* DigitsGraph::graph_ = nullptr;
std::map<std::string, std::string>* DigitsGraph::ref_ = nullptr;

TEST_F(DigitsGraph, ShapesLabelsAndTestNodes) {
  const GraphDataset& g = *graph_;
  ASSERT_EQ(ref_->at("nodes"), "1797");
  EXPECT_EQ(g.features.shape(), (Shape{1797, 64}));
  EXPECT_EQ(g.adjacency.shape(), (Shape{1797, 1797}));
  std::vector<int64_t> counts(10, 0);
  for (int y : g.labels) counts.at(static_cast<size_t>(y))++;
  EXPECT_EQ(counts, ints(ref_->at("label_counts")));
  EXPECT_EQ(g.labels[0], 0);
  EXPECT_EQ(g.labels[1796], 8);
  ASSERT_EQ(g.test_nodes.size(), 360u);
  EXPECT_EQ(g.test_nodes[1], 5);
  EXPECT_EQ(g.test_nodes.back(), 1795);
  EXPECT_EQ(crc(g.features), std::stoul(ref_->at("features_crc32")));
}

TEST_F(DigitsGraph, AdjacencyIsBitIdenticalToNumpy) {
  const Tensor& a = graph_->adjacency;
  const float* p = a.data<float>();
  int64_t nonzeros = 0;
  double sum = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    nonzeros += p[i] != 0.f;
    sum += static_cast<double>(p[i]);
  }
  EXPECT_EQ(nonzeros, std::stoll(ref_->at("nonzeros")));
  EXPECT_EQ(sum, std::strtod(ref_->at("adjacency_sum").c_str(), nullptr));
  EXPECT_EQ(crc(a), std::stoul(ref_->at("adjacency_crc32")));
}

TEST_F(DigitsGraph, FirstRowsAndNeighboursMatchNumpy) {
  const int64_t n = 1797;
  std::vector<int> pixels(static_cast<size_t>(n * 64));
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<int>(graph_->features.data<float>()[i] * 16.f);
  auto knn = nearest_neighbours(pixels, 64, 10);
  const float* a = graph_->adjacency.data<float>();
  for (int i = 0; i < 20; ++i) {
    std::vector<int64_t> mine(knn[static_cast<size_t>(i)].begin(), knn[static_cast<size_t>(i)].end());
    EXPECT_EQ(mine, ints(ref_->at("knn " + std::to_string(i)))) << "node " << i;
    std::vector<float> want(static_cast<size_t>(n), 0.f);
    std::istringstream row(ref_->at("row " + std::to_string(i)));
    for (std::string entry; row >> entry;) {
      size_t eq = entry.find('=');
      want.at(std::stoul(entry.substr(0, eq))) = static_cast<float>(std::strtod(entry.c_str() + eq + 1, nullptr));
    }
    for (int64_t j = 0; j < n; ++j) ASSERT_EQ(a[i * n + j], want[static_cast<size_t>(j)]) << i << "," << j;
  }
}

class DigitsFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("coda_digits_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Writes rows (each: first pixel value, label; the other 63 pixels are 0) as a gzipped CSV.
  std::string write_csv(const std::string& text) {
    std::string p = (dir_ / "digits.csv.gz").string();
    gzFile f = gzopen(p.c_str(), "wb");
    gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
    gzclose(f);
    return p;
  }
  static std::string row(int first_pixel, int label, const std::string& rest = "") {
    std::string s = std::to_string(first_pixel);
    for (int c = 1; c < 64; ++c) s += ",0";
    return s + "," + std::to_string(label) + rest + "\n";
  }
  fs::path dir_;
};

TEST_F(DigitsFiles, HandWorkedThreeNodes) {
  // Pixels 0, 2, 4 with k = 1: node 1 is 4 from both others and picks node 0 (lower index).
  // Edges 0-1 (0's choice, 1's choice) and 2-1 (2's choice); degrees with self-loops 2, 3, 2.
  GraphDataset g = load_digits_graph(write_csv(row(0, 7) + row(2, 1) + row(4, 9)), 1);
  EXPECT_EQ(g.labels, (std::vector<int>{7, 1, 9}));
  EXPECT_EQ(g.test_nodes, (std::vector<int>{0}));
  EXPECT_EQ(g.features.data<float>()[64], 0.125f);
  const float* a = g.adjacency.data<float>();
  const float half = 0.5f, edge = 0.40824829046386301637f, center = 1.f / 3.f;  // 1/sqrt(2*3)
  std::vector<float> want = {half, edge, 0.f, edge, center, edge, 0.f, edge, half};
  for (int i = 0; i < 9; ++i) EXPECT_FLOAT_EQ(a[i], want[static_cast<size_t>(i)]) << i;
  EXPECT_EQ(a[2], 0.f);
  EXPECT_EQ(a[1], a[3]);
}

TEST_F(DigitsFiles, TiesGoToTheLowerIndex) {
  // Four identical rows: every node's 2 nearest are the two lowest other indices.
  std::vector<int> rows(4 * 3, 5);
  auto knn = nearest_neighbours(rows, 3, 2);
  EXPECT_EQ(knn[0], (std::vector<int>{1, 2}));
  EXPECT_EQ(knn[1], (std::vector<int>{0, 2}));
  EXPECT_EQ(knn[3], (std::vector<int>{0, 1}));
}

TEST_F(DigitsFiles, MalformedCsv) {
  struct Case { std::string text, what; };
  for (const Case& c : {Case{row(0, 1) + "0,x\n", ":2: expected comma-separated"},
                        Case{row(0, 1) + "1,2,3\n", ":2: 3 columns, expected 65"},
                        Case{row(17, 1), ":1: pixel 0 is 17, outside 0..16"},
                        Case{row(0, 10), ":1: label 10 outside 0..9"},
                        Case{row(0, 1) + row(-1, 1), ":2: expected comma-separated"},
                        Case{row(0, 1, ".5"), ":1: expected comma-separated"}}) {
    std::string p = write_csv(c.text);
    try {
      load_digits_graph(p, 1);
      ADD_FAILURE() << c.what;
    } catch (const ParseError& e) {
      EXPECT_NE(std::string(e.what()).find(p + c.what), std::string::npos) << e.what() << "\n  expected: " << c.what;
    }
  }
}

TEST_F(DigitsFiles, FloatStyleIntegersAndCrLfAreAccepted) {
  std::string text = row(3, 2);
  text.replace(0, 1, "3.0");
  text.insert(text.size() - 1, "\r");
  GraphDataset g = load_digits_graph(write_csv(text + row(1, 4)), 1);
  EXPECT_EQ(g.labels, (std::vector<int>{2, 4}));
  EXPECT_EQ(g.features.data<float>()[0], 3.f / 16.f);
}

TEST_F(DigitsFiles, BadKAndMissingFile) {
  std::string p = write_csv(row(0, 1) + row(1, 1));
  EXPECT_THROW(load_digits_graph(p, 2), InvalidError);
  EXPECT_THROW(load_digits_graph(p, 0), InvalidError);
  EXPECT_THROW(load_digits_graph((dir_ / "missing.csv.gz").string()), IoError);
}

}  // namespace
}  // namespace coda::datasets
