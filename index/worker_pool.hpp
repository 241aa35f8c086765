// A fixed pool of threads for CPU-bound work: index mutations posted by
// the index actors (which run on CAF's shared scheduler and must not
// block it), and the parallel hnswlib inserts inside them. parallel_for
// lets the calling thread work too, so a posted task that calls it never
// deadlocks when every pool thread is busy. Used by index/vector_index and
// actors/index_actor.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lh {

class worker_pool {
public:
  /// `threads` = 0 means one per core.
  explicit worker_pool(size_t threads = 0);
  ~worker_pool();
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  size_t size() const { return threads_.size(); }

  /// Runs `task` on a pool thread, after the tasks posted before it.
  /// `task` must not throw.
  void post(std::function<void()> task);

  /// Runs fn(i) for every i in [0, n) on the caller and up to `width` - 1
  /// pool threads; returns when all calls have returned. fn must not throw.
  void parallel_for(size_t n, size_t width,
                    const std::function<void(size_t)>& fn);

private:
  void run();

  std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

} // namespace lh
