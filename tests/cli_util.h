// Shared by the tests that run the built `coda` binary as a user would: run it with arguments
// (from the source folder, so that relative paths like models/cnn.onnx work), capture its exit status,
// stdout and stderr, and check the one-line error contract.
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace coda::test {

struct Outcome {
  int status;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A per-process scratch folder, removed when the test process ends.
inline std::filesystem::path cli_scratch() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path d = std::filesystem::temp_directory_path() / ("coda_cli_" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  static const struct Remove {
    ~Remove() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } remove;
  return dir;
}

// `env`: assignments put before the command ("CODA_MEMORY_LIMIT=16M").
inline Outcome run_coda(const std::string& args, const std::string& env = "") {
  static int k = 0;
  const std::filesystem::path d = cli_scratch();
  const std::filesystem::path o = d / ("o" + std::to_string(k)), e = d / ("e" + std::to_string(k++));
  const std::string cmd = "cd " + std::string(CODA_SOURCE_DIR) + " && " + env + (env.empty() ? "" : " ") + std::string(CODA_BINARY_DIR) +
                          "/apps/coda/coda " + args + " >" + o.string() + " 2>" + e.string();
  const int st = std::system(cmd.c_str());
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, slurp(o), slurp(e)};
}

// A file in the scratch folder holding `bytes`.
inline std::filesystem::path cli_file(const std::string& name, const std::string& bytes) {
  const std::filesystem::path p = cli_scratch() / name;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

// One line `coda: error: <where>: <what>` on stderr, nothing on stdout, exit status 2.
inline void expect_one_line_error(const Outcome& r, const std::string& where, const std::string& what) {
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(r.err.rfind("coda: error: ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(where), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

}  // namespace coda::test
