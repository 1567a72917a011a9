// store_writer DB N [shared]: a resumable "search" for the store's crash test (store_test.cpp kills it).
//
// Stores points 0..N-1 in order, skipping the keys already stored, as `coda explore` resumes: blocks of 8
// alternate between one put() per point and one put_many() per block. After each put/put_many returns
// it writes the indices it stored to stdout with write(2) (no buffering), so the test knows which puts
// returned before the kill. store_test.cpp includes this file (with CODA_STORE_WRITER_NO_MAIN) for
// writer_point(), the one definition of what point i holds.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "coda/core/error.h"
#include "coda/dse/store.h"

namespace coda::testing {

constexpr int kWriterBlock = 8;

// Point i: a deterministic record that exercises every field (statuses, reasons, varying metric sets,
// values that need all 17 digits, long text).
inline dse::PointRecord writer_point(int i) {
  dse::PointRecord p;
  p.key = "cfg/" + std::to_string(i) + "/pe=" + std::to_string(8 << (i % 4)) + "/w=int" + std::to_string(2 + i % 7);
  p.config_json = "{\"i\":" + std::to_string(i) + ",\"knobs\":{\"pe\":" + std::to_string(8 << (i % 4)) +
                  "},\"name\":\"" + std::string(static_cast<size_t>(i % 50), 'x') + "\",\"precision\":\"w" +
                  std::to_string(2 + i % 7) + "a8\"}";
  p.seconds = 0.001 * i + 1.0 / 3.0;
  if (i % 10 == 7) {
    p.status = "infeasible";
    p.reason = "layer " + std::to_string(i % 13) + " does not fit: weights tile " + std::to_string(i * 37) + " words";
  } else if (i % 23 == 5) {
    p.status = "error";
    p.reason = "evaluation failed at point " + std::to_string(i);
  } else {
    p.metrics["accuracy"] = 0.5 + std::sin(i) * 0.25;
    p.metrics["latency_s"] = 1e-3 * (1 + i % 13) * std::pow(1.0001, i);
    p.metrics["energy_j"] = i * 1e-6 + 1.0 / 7.0;
    for (int k = 0; k < i % 4; ++k) p.metrics["extra_" + std::to_string(k)] = std::exp(-k - i * 0.01);
  }
  return p;
}

}  // namespace coda::testing

#ifndef CODA_STORE_WRITER_NO_MAIN
namespace {
void report(const std::vector<int>& done) {
  std::string s;
  for (int i : done) s += std::to_string(i) + "\n";
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(1, s.data() + off, s.size() - off);
    if (n <= 0) std::exit(3);
    off += static_cast<size_t>(n);
  }
}
}  // namespace

int main(int argc, char** argv) {
  // "shared": another writer fills the same store at the same time, so a put may find its key taken.
  bool shared = argc == 4 && std::string(argv[3]) == "shared";
  if (argc != 3 && !shared) {
    std::fprintf(stderr, "usage: store_writer DB N [shared]\n");
    return 2;
  }
  int n = std::atoi(argv[2]);
  try {
    coda::dse::Store db(argv[1]);
    db.set_meta("objectives", "accuracy:max,latency_s:min");
    for (int b = 0; b < n; b += coda::testing::kWriterBlock) {
      int end = std::min(n, b + coda::testing::kWriterBlock);
      if ((b / coda::testing::kWriterBlock) % 2 == 0) {
        for (int i = b; i < end; ++i) {
          coda::dse::PointRecord p = coda::testing::writer_point(i);
          if (db.contains(p.key)) continue;
          if (db.put(p)) report({i});
          else if (!shared) return 4;  // nobody else writes: a key not contained must be new
        }
      } else {
        std::vector<coda::dse::PointRecord> batch;
        std::vector<int> idx;
        for (int i = b; i < end; ++i) {
          coda::dse::PointRecord p = coda::testing::writer_point(i);
          if (db.contains(p.key)) continue;
          batch.push_back(std::move(p));
          idx.push_back(i);
        }
        if (db.put_many(batch) != batch.size() && !shared) return 4;
        if (!shared) report(idx);
      }
    }
  } catch (const coda::Error& e) {
    std::fprintf(stderr, "store_writer: %s\n", e.what());
    return 2;
  }
  return 0;
}
#endif
