#include "coda/core/thread_pool.h"

namespace coda {

namespace {
thread_local bool t_inside_pool = false;  // nested parallel_for runs serially in the calling chunk
}

int hardware_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

ThreadPool::ThreadPool(int threads) {
  if (threads <= 0) threads = hardware_threads();
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

// Takes one chunk of the current job and runs it; false when none is left.
bool ThreadPool::run_one_chunk() {
  int64_t lo, hi;
  const std::function<void(int64_t, int64_t)>* body;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!body_ || next_ >= end_) return false;
    lo = next_;
    hi = std::min(end_, lo + grain_);
    next_ = hi;
    body = body_;
  }
  try {
    bool was = t_inside_pool;
    t_inside_pool = true;
    try {
      (*body)(lo, hi);
    } catch (...) {
      t_inside_pool = was;
      throw;
    }
    t_inside_pool = was;
  } catch (...) {
    std::lock_guard<std::mutex> lk(mu_);
    if (!error_) error_ = std::current_exception();
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (--chunks_left_ == 0) done_cv_.notify_all();
  }
  return true;
}

void ThreadPool::worker_loop() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return stop_ || (generation_ != seen && body_ && next_ < end_); });
      if (stop_) return;
      seen = generation_;
    }
    while (run_one_chunk()) {
    }
  }
}

void ThreadPool::parallel_for(int64_t begin, int64_t end, int64_t grain,
                              const std::function<void(int64_t, int64_t)>& body) {
  if (end <= begin) return;
  if (grain < 1) grain = 1;
  if (workers_.empty() || end - begin <= grain || t_inside_pool) {
    body(begin, end);
    return;
  }
  std::lock_guard<std::mutex> job(job_mu_);
  {
    std::lock_guard<std::mutex> lk(mu_);
    body_ = &body;
    begin_ = begin;
    end_ = end;
    grain_ = grain;
    next_ = begin;
    chunks_left_ = (end - begin + grain - 1) / grain;
    error_ = nullptr;
    ++generation_;
  }
  cv_.notify_all();
  while (run_one_chunk()) {
  }
  std::exception_ptr err;
  {
    std::unique_lock<std::mutex> lk(mu_);
    done_cv_.wait(lk, [&] { return chunks_left_ == 0; });
    body_ = nullptr;
    err = error_;
  }
  if (err) std::rethrow_exception(err);
}

}  // namespace coda
