// The ONNX node conformance suite (libonnx-testdata, /usr/share/libonnx-testdata/data/node/test_*):
// every model is imported, prepared and run once on test_data_set_0, and its outputs compared
// with the expected ones (floats within 1e-6 + 1e-5 * |expected|, NaN matching NaN; integers and
// bools exactly; shapes and dtypes equal). A test whose import or execution raises
// UnsupportedError is skipped with that reason. The gtest fails on any failure, on a skip missing
// from tests/exec/conformance_expected_skips.txt, and on a listed test that no longer skips.
//
// CODA_UPDATE_SKIPS=1 rewrites the expected-skips file from this run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "coda/exec/executor.h"
#include "coda/onnx/import.h"

namespace coda::exec {
namespace {

namespace fs = std::filesystem;

const char* kSuiteDir = "/usr/share/libonnx-testdata/data/node";
const std::string kSkipsFile = std::string(CODA_SOURCE_DIR) + "/tests/exec/conformance_expected_skips.txt";

enum class Outcome { pass, fail, skip };

struct Result {
  Outcome outcome = Outcome::pass;
  std::string detail;  // failure or skip reason
};

// Compares one output; returns "" when it matches.
std::string compare(const Tensor& got, const Tensor& want, size_t k) {
  std::string where = "output " + std::to_string(k) + ": ";
  if (got.dtype() != want.dtype())
    return where + "dtype " + dtype_name(got.dtype()) + ", expected " + dtype_name(want.dtype());
  if (got.shape() != want.shape()) return where + "shape " + shape_str(got.shape()) + ", expected " + shape_str(want.shape());
  for (int64_t i = 0; i < want.numel(); ++i) {
    bool ok;
    if (dtype_is_float(want.dtype())) {
      double a = got.get_f64(i), b = want.get_f64(i);
      ok = (std::isnan(a) && std::isnan(b)) || a == b || std::fabs(a - b) <= 1e-6 + 1e-5 * std::fabs(b);
    } else {
      ok = got.get_i64(i) == want.get_i64(i);
    }
    if (!ok) {
      std::ostringstream s;
      s.precision(9);
      s << where << "element " << i << " is " << got.get_f64(i) << ", expected " << want.get_f64(i);
      return s.str();
    }
  }
  return "";
}

std::vector<Tensor> read_tensors(const fs::path& dir, const char* prefix) {
  std::vector<Tensor> r;
  for (int i = 0;; ++i) {
    fs::path p = dir / (std::string(prefix) + std::to_string(i) + ".pb");
    if (!fs::exists(p)) break;
    r.push_back(onnx::read_tensor_file(p.string()));
  }
  return r;
}

Result run_case(const fs::path& dir) {
  Result r;
  try {
    graph::Graph g = onnx::import_file((dir / "model.onnx").string());
    fs::path data = dir / "test_data_set_0";
    std::vector<Tensor> inputs = read_tensors(data, "input_");
    std::vector<Tensor> expected = read_tensors(data, "output_");
    Executor ex(std::move(g), {.threads = 1});
    std::vector<Tensor> got = ex.run(inputs);
    if (got.size() != expected.size()) {
      r.outcome = Outcome::fail;
      r.detail = format("%zu outputs, expected %zu", got.size(), expected.size());
      return r;
    }
    for (size_t k = 0; k < got.size(); ++k) {
      std::string d = compare(got[k], expected[k], k);
      if (!d.empty()) {
        r.outcome = Outcome::fail;
        r.detail = d;
        return r;
      }
    }
  } catch (const UnsupportedError& e) {
    r.outcome = Outcome::skip;
    r.detail = e.message();
  } catch (const std::exception& e) {
    r.outcome = Outcome::fail;
    r.detail = e.what();
  }
  return r;
}

std::map<std::string, std::string> read_expected_skips() {
  std::map<std::string, std::string> skips;
  std::ifstream f(kSkipsFile);
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    skips[line.substr(0, tab)] = tab == std::string::npos ? "" : line.substr(tab + 1);
  }
  return skips;
}

// One line, no tabs, so the reason fits the skips file.
std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\t', ' ');
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

TEST(Conformance, OnnxNodeSuite) {
  if (!fs::exists(kSuiteDir)) GTEST_SKIP() << kSuiteDir << " is missing (install libonnx-testdata)";
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(kSuiteDir))
    if (e.is_directory() && e.path().filename().string().rfind("test_", 0) == 0) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());

  std::map<std::string, Result> results;
  std::map<std::string, int> reasons;
  int passed = 0, failed = 0, skipped = 0;
  for (const fs::path& d : dirs) {
    Result r = run_case(d);
    r.detail = one_line(r.detail);
    std::string name = d.filename().string();
    if (r.outcome == Outcome::pass) ++passed;
    if (r.outcome == Outcome::fail) {
      ++failed;
      ADD_FAILURE() << name << ": " << r.detail;
    }
    if (r.outcome == Outcome::skip) {
      ++skipped;
      ++reasons[r.detail];
    }
    results[name] = r;
  }

  std::printf("ONNX conformance: %d passed, %d failed, %d skipped (of %zu)\n", passed, failed, skipped, dirs.size());
  std::vector<std::pair<int, std::string>> hist;
  for (const auto& [why, count] : reasons) hist.push_back({count, why});
  std::sort(hist.begin(), hist.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  std::printf("skip reasons:\n");
  for (const auto& [count, why] : hist) std::printf("  %4d  %s\n", count, why.c_str());

  if (const char* u = std::getenv("CODA_UPDATE_SKIPS"); u && std::string(u) == "1") {
    std::ofstream f(kSkipsFile);
    f << "# ONNX node conformance tests coda skips, with the UnsupportedError reason (test_name<TAB>reason).\n"
      << "# Regenerate with CODA_UPDATE_SKIPS=1 exec_test --gtest_filter=Conformance.*\n";
    for (const auto& [name, r] : results)
      if (r.outcome == Outcome::skip) f << name << '\t' << r.detail << '\n';
    std::printf("wrote %s\n", kSkipsFile.c_str());
    return;
  }

  std::map<std::string, std::string> expected = read_expected_skips();
  for (const auto& [name, r] : results) {
    bool listed = expected.count(name) != 0;
    if (r.outcome == Outcome::skip && !listed) ADD_FAILURE() << name << " is newly skipped: " << r.detail;
    if (r.outcome == Outcome::skip && listed && expected[name] != r.detail)
      std::printf("note: %s skips for a new reason: %s (listed: %s)\n", name.c_str(), r.detail.c_str(), expected[name].c_str());
    if (r.outcome != Outcome::skip && listed)
      ADD_FAILURE() << name << " is listed in conformance_expected_skips.txt but now "
                    << (r.outcome == Outcome::pass ? "passes" : "fails") << ": remove it from the list";
  }
  for (const auto& [name, why] : expected)
    if (!results.count(name)) ADD_FAILURE() << name << " is listed in conformance_expected_skips.txt but does not exist";
  EXPECT_GE(passed, 250);
  EXPECT_EQ(failed, 0);
}

}  // namespace
}  // namespace coda::exec
