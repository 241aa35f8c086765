// The HTTP/1.1 server of every service: Boost.Beast, async, N I/O threads,
// keep-alive, per-route body limits, graceful stop. Beast stays inside the
// server's own files (server_impl.hpp, session, listener, timeout_sweep,
// drain); callers see only router, request and response.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "config/error.hpp"
#include "http/access.hpp"
#include "http/router.hpp"

namespace lh::http {

struct server_options {
  std::string bind = "127.0.0.1";
  uint16_t port = 0;                     // 0: any free port, see server::port()
  unsigned threads = 0;                  // 0: one per core (io_thread_count)
  std::chrono::seconds idle_timeout{60}; // keep-alive connection idle limit
  std::chrono::seconds read_timeout{300}; // the longest a body may take
  /// A body's deadline: body_grace plus its bytes so far at min_body_rate
  /// (bytes/s), at most read_timeout. Trickled bodies end at body_grace.
  std::chrono::seconds body_grace{10};
  double min_body_rate = 1 << 20;
  key_check keys{}; // API keys; default: none, every route open
  /// Open connections past this get an immediate 503 and are closed
  /// (config: max_connections; the mains keep it below the fd limit).
  size_t max_connections = 4096;
  /// Request bodies held at once (declared Content-Length, from the start
  /// of the read to the answer): past it, 503 before the body is read. A
  /// request alone is always let through up to its route's limit.
  uint64_t max_body_bytes_in_flight = uint64_t{1} << 30;
  /// A request that waited this long before its I/O thread read it (its
  /// kernel arrival stamp, or the thread's own lag: http/queue_delay.hpp)
  /// gets an immediate 503 instead of a late answer; probes (/health,
  /// /ready, /metrics) are always answered. Zero: never refused for it.
  std::chrono::milliseconds max_queue_delay{0};
};

/// The I/O threads a server with these options runs.
unsigned io_thread_count(const server_options& options);

class server {
public:
  server(router routes, server_options options);
  ~server(); // stops with no grace if still running
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds, listens and starts the I/O threads. Fails when the address is
  /// taken or invalid.
  expected<void> start();

  /// The bound port (useful after binding port 0).
  uint16_t port() const;

  const server_options& options() const;

  /// Accepts that failed so far (EMFILE, say), each retried after a pause.
  uint64_t accept_failures() const;

  /// Stops accepting, closes idle connections, lets in-flight requests
  /// finish for up to `grace`, then stops the I/O threads.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds{5});

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace lh::http
