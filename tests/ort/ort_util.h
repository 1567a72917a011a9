// Shared by the ONNX Runtime tests: a scratch folder per label, running tools/ort_run.mjs on .npy
// inputs, and the largest element-wise difference of two tensors.
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "coda/core/npy.h"
#include "coda/core/tensor.h"

namespace coda::test {

namespace fs = std::filesystem;

inline const fs::path kSrc = CODA_SOURCE_DIR;

inline fs::path scratch(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("coda_ort_" + std::to_string(getpid())) / name;
  fs::create_directories(d);
  return d;
}

// Runs tools/ort_run.mjs; returns ORT's outputs in order.
inline std::vector<Tensor> run_ort(const fs::path& model, const std::vector<Tensor>& inputs,
                                   const std::vector<std::string>& names, const fs::path& dir) {
  std::string cmd = "node " + (kSrc / "tools/ort_run.mjs").string() + " " + model.string() + " " + dir.string();
  for (size_t i = 0; i < inputs.size(); ++i) {
    fs::path p = dir / ("input_" + std::to_string(i) + ".npy");
    coda::write_npy(p.string(), inputs[i]);
    cmd += " " + names[i] + "=" + p.string();
  }
  cmd += " > " + (dir / "ort.log").string() + " 2>&1";
  int st = std::system(cmd.c_str());
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    std::ifstream log(dir / "ort.log");
    std::string s((std::istreambuf_iterator<char>(log)), {});
    ADD_FAILURE() << "ONNX Runtime failed (run scripts/install-deps.sh to install it): " << s;
    return {};
  }
  std::vector<Tensor> outs;
  for (int k = 0; fs::exists(dir / ("output_" + std::to_string(k) + ".npy")); ++k)
    outs.push_back(coda::read_npy((dir / ("output_" + std::to_string(k) + ".npy")).string()));
  return outs;
}

inline double max_abs_diff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  if (a.shape() != b.shape()) return INFINITY;
  double m = 0;
  for (int64_t i = 0; i < a.numel(); ++i) m = std::max(m, std::fabs(a.get_f64(i) - b.get_f64(i)));
  return m;
}

}  // namespace coda::test
