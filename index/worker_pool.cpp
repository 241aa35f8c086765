#include "index/worker_pool.hpp"

#include <atomic>
#include <memory>

namespace lh {

worker_pool::worker_pool(size_t threads) {
  if (threads == 0)
    threads = std::max(1u, std::thread::hardware_concurrency());
  for (size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] { run(); });
}

worker_pool::~worker_pool() {
  {
    std::lock_guard guard{mtx_};
    stopping_ = true;
  }
  cv_.notify_all();
  // The last owner may be a task on a pool thread: that thread cannot
  // join itself, and it ends once its task returns.
  for (auto& t : threads_)
    if (t.get_id() == std::this_thread::get_id())
      t.detach();
    else
      t.join();
}

void worker_pool::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock{mtx_};
      cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty())
        return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

void worker_pool::post(std::function<void()> task) {
  {
    std::lock_guard guard{mtx_};
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void worker_pool::parallel_for(size_t n, size_t width,
                               const std::function<void(size_t)>& fn) {
  if (n == 0)
    return;
  // Shared by the caller and helpers; helpers that start late find no
  // work left and return at once.
  struct loop {
    std::atomic<size_t> next{0};
    std::atomic<size_t> done{0};
    std::mutex mtx;
    std::condition_variable finished;
  };
  auto state = std::make_shared<loop>();
  auto work = [state, n, &fn] {
    size_t mine = 0;
    for (size_t i; (i = state->next.fetch_add(1)) < n; ++mine)
      fn(i);
    if (mine > 0 && state->done.fetch_add(mine) + mine == n) {
      std::lock_guard guard{state->mtx};
      state->finished.notify_all();
    }
  };
  auto helpers = std::min({width > 0 ? width - 1 : 0, threads_.size(), n - 1});
  {
    std::lock_guard guard{mtx_};
    for (size_t i = 0; i < helpers; ++i)
      // Helpers share the loop state; `fn` lives on the caller's stack and
      // the caller returns only once done == n, after which a late helper
      // reads nothing but `next` (and finds no work).
      tasks_.emplace_back(work);
  }
  cv_.notify_all();
  work();
  std::unique_lock lock{state->mtx};
  state->finished.wait(lock, [&] { return state->done.load() == n; });
}

} // namespace lh
