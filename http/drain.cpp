// The graceful stop: no new connections, idle ones closed, in-flight
// requests given up to a grace period, then the I/O threads stopped and
// every session freed.
#include <spdlog/spdlog.h>

#include "http/server_impl.hpp"
#include "http/session.hpp"

namespace lh::http {

void server::impl::request_finished() {
  if (--in_flight == 0) {
    std::lock_guard guard{mtx};
    idle_cv.notify_all();
  }
}

void server::impl::drain_and_stop(std::chrono::milliseconds grace) {
  stopping = true;
  net::post(acceptor.get_executor(), [this] {
    beast::error_code ignored;
    acceptor.close(ignored);
    sweeper.cancel();
  });
  for (auto& s : live_sessions())
    net::post(s->executor(), [s] { s->close_if_idle(); });
  {
    std::unique_lock lock{mtx};
    idle_cv.wait_for(lock, grace, [this] { return in_flight == 0; });
  }
  if (in_flight > 0)
    spdlog::warn("http: stopping with {} request(s) still in flight",
                 in_flight.load());
  guards.clear();
  for (auto& context : contexts)
    context->stop();
  for (auto& t : threads)
    t.join();
  threads.clear();
  for (auto& p : delay_probes)
    p->stop();
  // No I/O thread runs now. Close what is left and run the aborted
  // handlers once, so that sessions release the server and are freed.
  threads_stopped = true;
  auto left = live_sessions();
  for (auto& s : left)
    s->close();
  left.clear();
  beast::error_code ignored;
  acceptor.close(ignored);
  sweeper.cancel();
  for (auto& context : contexts) {
    context->restart();
    context->poll();
  }
}

} // namespace lh::http
