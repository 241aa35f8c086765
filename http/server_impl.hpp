// The server's shared state (server::impl): I/O contexts and threads, the
// acceptor, the open sessions and the in-flight count. Internal to the
// server's files: server.cpp (start/stop), listener.cpp (accept),
// session.cpp (one connection), timeout_sweep.cpp and drain.cpp.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/queue_delay.hpp"
#include "http/server.hpp"

namespace lh::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

class session;

struct server::impl : std::enable_shared_from_this<server::impl> {
  impl(router r, server_options o);

  unsigned thread_count() const;

  /// Binds and listens on options.bind:options.port (listener.cpp).
  expected<void> listen();
  /// Accepts the next connection onto the next I/O context (listener.cpp).
  void accept_next();
  /// The I/O context the next accepted socket goes to (round-robin).
  net::io_context& context_for_next_socket();
  void back_off_after(beast::error_code ec);
  /// Serves an accepted socket, or refuses it past max_connections.
  void take(tcp::socket socket);
  void refuse_over_capacity(tcp::socket socket);
  /// Connections taken per accept handler beyond the first.
  static constexpr int accept_burst = 64;
  size_t open_sessions();
  /// Closes connections past their deadline, once a second
  /// (timeout_sweep.cpp).
  void sweep_timeouts();
  /// Stops accepting, lets in-flight requests finish for up to `grace`,
  /// then stops the I/O threads and frees every session (drain.cpp).
  void drain_and_stop(std::chrono::milliseconds grace);

  void track(const std::shared_ptr<session>& s);
  void untrack(session* s);
  /// Strong references to the open sessions. Taken under the lock but
  /// released by the caller outside it: a session's destructor locks too.
  std::vector<std::shared_ptr<session>> live_sessions();
  void request_started() { ++in_flight; }
  /// Counts `n` declared body bytes against max_body_bytes_in_flight;
  /// false (nothing counted) past it, unless no other body is held.
  bool take_body_bytes(uint64_t n) {
    auto held = body_bytes.load();
    do {
      if (held > 0 && held + n > options.max_body_bytes_in_flight)
        return false;
    } while (!body_bytes.compare_exchange_weak(held, held + n));
    return true;
  }
  void give_body_bytes(uint64_t n) { body_bytes -= n; }
  void request_finished();
  /// How far behind a request head just read on `context`, after waiting
  /// `in_kernel` to be read, is when it should be refused; zero to serve
  /// it (always without max_queue_delay). See queue_delay_probe.
  std::chrono::microseconds queue_delay(const net::execution_context& context,
                                        std::chrono::microseconds in_kernel) {
    for (auto& p : delay_probes)
      if (p->on(context))
        return p->behind_for_request(clock_type::now(), in_kernel);
    return std::chrono::microseconds{0};
  }

  router routes;
  server_options options;
  std::vector<std::unique_ptr<net::io_context>> contexts;
  size_t next_context = 0; // round-robin for accepted sockets
  tcp::acceptor acceptor;
  // Timeouts are checked once a second instead of arming a timer per
  // request: a per-operation timer costs syscalls on every request.
  net::steady_timer sweeper;
  // Accept failures: retried after a pause, warned about once per interval.
  static constexpr std::chrono::milliseconds accept_backoff{100};
  static constexpr std::chrono::seconds accept_warning_interval{5};
  net::steady_timer backoff_timer;
  std::atomic<uint64_t> accept_failures{0};
  uint64_t failures_warned = 0;
  clock_type::time_point last_accept_warning{};
  std::vector<std::unique_ptr<queue_delay_probe>> delay_probes; // per context
  std::vector<std::thread> threads;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  std::atomic<bool> stopping{false};
  std::atomic<bool> threads_stopped{false}; // late replies are dropped
  std::atomic<int> in_flight{0};
  std::atomic<uint64_t> body_bytes{0}; // declared bodies being read or handled
  std::mutex mtx;                      // guards sessions; pairs with idle_cv
  std::condition_variable idle_cv;
  std::unordered_map<session*, std::weak_ptr<session>> sessions;
  uint16_t bound_port = 0;
  bool running = false;
};

} // namespace lh::http
