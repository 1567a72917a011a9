// coda::ThreadPool: a fixed set of worker threads and a blocking parallel_for.
//
// Work is split into contiguous chunks whose boundaries depend only on (n, grain), never on the
// number of threads, so a kernel that writes each output from one chunk gives the same bits at any
// thread count.
//
//   ThreadPool pool(4);
//   pool.parallel_for(0, rows, 16, [&](int64_t lo, int64_t hi) { for (auto r = lo; r < hi; ++r) ...; });
#pragma once
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace coda {

class ThreadPool {
 public:
  // threads <= 0 means the number of hardware threads.
  explicit ThreadPool(int threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }  // the caller works too

  // Calls body(lo, hi) over [begin, end) in chunks of `grain` elements; returns when all are done.
  // Exceptions thrown by body are rethrown (the first one) in the caller.
  void parallel_for(int64_t begin, int64_t end, int64_t grain, const std::function<void(int64_t, int64_t)>& body);

 private:
  void worker_loop();
  bool run_one_chunk();

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  bool stop_ = false;
  // The current job.
  const std::function<void(int64_t, int64_t)>* body_ = nullptr;
  int64_t begin_ = 0, end_ = 0, grain_ = 1, next_ = 0;
  int64_t chunks_left_ = 0;
  uint64_t generation_ = 0;
  std::exception_ptr error_;
  std::mutex job_mu_;  // one parallel_for at a time
};

// Number of hardware threads (at least 1).
int hardware_threads();

}  // namespace coda
