#include "coda/datasets/digits_graph.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "coda/datasets/gzip_file.h"

namespace coda::datasets {

namespace {

constexpr int kPixels = 64;
constexpr int kMaxPixel = 16;
constexpr int kClasses = 10;
constexpr size_t kMaxFileBytes = 64u << 20;  // the real file is 0.26 MB uncompressed

// Parses one CSV line of integers into `out`; false if a field is not an integer.
bool parse_ints(const std::string& line, std::vector<int>& out) {
  out.clear();
  size_t i = 0;
  while (true) {
    size_t end = line.find(',', i);
    std::string field = line.substr(i, end == std::string::npos ? std::string::npos : end - i);
    // Accept "7" and "7.0" (np.savetxt style), nothing else.
    size_t dot = field.find('.');
    if (dot != std::string::npos && field.find_first_not_of('0', dot + 1) != std::string::npos) return false;
    std::string digits = field.substr(0, dot);
    if (digits.empty() || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string::npos)
      return false;
    out.push_back(std::stoi(digits));
    if (end == std::string::npos) return true;
    i = end + 1;
  }
}

}  // namespace

std::vector<std::vector<int>> nearest_neighbours(const std::vector<int>& rows, int dims, int k) {
  const int n = static_cast<int>(rows.size() / static_cast<size_t>(dims));
  CODA_CHECK(k >= 1 && k < n, "k=%d for %d nodes", k, n);
  std::vector<std::vector<int>> result(static_cast<size_t>(n));
  std::vector<std::pair<int64_t, int>> cand;
  for (int i = 0; i < n; ++i) {
    cand.clear();
    const int* a = &rows[static_cast<size_t>(i) * dims];
    for (int j = 0; j < n; ++j) {
      if (j == i) continue;
      const int* b = &rows[static_cast<size_t>(j) * dims];
      int64_t d2 = 0;
      for (int c = 0; c < dims; ++c) d2 += int64_t{a[c] - b[c]} * (a[c] - b[c]);
      cand.emplace_back(d2, j);
    }
    std::partial_sort(cand.begin(), cand.begin() + k, cand.end());  // by (distance, index)
    for (int r = 0; r < k; ++r) result[static_cast<size_t>(i)].push_back(cand[static_cast<size_t>(r)].second);
  }
  return result;
}

Tensor normalized_adjacency(const std::vector<std::vector<int>>& neighbours) {
  const int64_t n = static_cast<int64_t>(neighbours.size());
  std::vector<uint8_t> a(static_cast<size_t>(n * n), 0);  // A~ = max(A, A^T) + I
  for (int64_t i = 0; i < n; ++i) {
    a[static_cast<size_t>(i * n + i)] = 1;
    for (int j : neighbours[static_cast<size_t>(i)]) {
      a[static_cast<size_t>(i * n + j)] = 1;
      a[static_cast<size_t>(j * n + i)] = 1;
    }
  }
  // d = 1.0 / np.sqrt(deg); A^ = (d[:,None] * A~) * d[None,:], all in double, then cast to float32.
  std::vector<double> d(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    double deg = 0;
    for (int64_t j = 0; j < n; ++j) deg += a[static_cast<size_t>(i * n + j)];
    d[static_cast<size_t>(i)] = 1.0 / std::sqrt(deg);
  }
  Tensor adj(DType::f32, {n, n});
  float* out = adj.data<float>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double v = (d[static_cast<size_t>(i)] * a[static_cast<size_t>(i * n + j)]) * d[static_cast<size_t>(j)];
      out[i * n + j] = static_cast<float>(v);
    }
  return adj;
}

GraphDataset load_digits_graph(const std::string& csv_gz, int k) {
  std::string text = read_gzip_file(csv_gz, kMaxFileBytes);
  std::vector<int> pixels, fields;
  GraphDataset g;
  size_t pos = 0;
  for (int line_no = 1; pos < text.size(); ++line_no) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::string where = format("%s:%d", csv_gz.c_str(), line_no);
    if (!parse_ints(line, fields)) throw ParseError(where, "expected comma-separated non-negative integers");
    if (fields.size() != kPixels + 1)
      throw ParseError(where, format("%zu columns, expected %d pixels and a label", fields.size(), kPixels + 1));
    for (int c = 0; c < kPixels; ++c)
      if (fields[static_cast<size_t>(c)] > kMaxPixel)
        throw ParseError(where, format("pixel %d is %d, outside 0..16", c, fields[static_cast<size_t>(c)]));
    if (fields[kPixels] >= kClasses) throw ParseError(where, format("label %d outside 0..9", fields[kPixels]));
    pixels.insert(pixels.end(), fields.begin(), fields.begin() + kPixels);
    g.labels.push_back(fields[kPixels]);
  }
  const int64_t n = static_cast<int64_t>(g.labels.size());
  if (k < 1 || k >= n)
    throw InvalidError("load_digits_graph", format("k=%d needs 1 <= k < %lld nodes (%s)", k,
                                                   static_cast<long long>(n), csv_gz.c_str()));
  g.features = Tensor(DType::f32, {n, kPixels});
  float* f = g.features.data<float>();
  for (size_t i = 0; i < pixels.size(); ++i) f[i] = static_cast<float>(pixels[i]) / 16.0f;
  g.adjacency = normalized_adjacency(nearest_neighbours(pixels, kPixels, k));
  for (int i = 0; i < n; i += 5) g.test_nodes.push_back(i);
  return g;
}

}  // namespace coda::datasets
