// How far behind an I/O context is, and whether a request head just read
// on it should be refused (503) instead of served late: under overload the
// accepted requests keep their latency and the rest cost a few
// microseconds each. Two measures, the larger counts:
// - the kernel's arrival stamp of the request (http/arrival_stamps.hpp):
//   how long it sat in a socket buffer or the accept backlog;
// - the context's own lag: a timer due every bound/4 records when it is
//   due, and while it is overdue every handler the context runs has waited
//   at least that long (event-loop lag, as node's toobusy or hapi's
//   maxEventLoopDelay; read live, so a long handler that has ended leaves
//   no stale delay).
// A thread that was merely not scheduled (a starved CPU, a paused VM) is
// late with nothing queued. So a late head is refused only when another
// late head was read within the bound before it: two requests that each
// waited past the bound and were read that close together waited at the
// same time, i.e. requests queue up. The first late head after a quiet
// spell is served.
#pragma once

#include <chrono>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace lh::http {

class queue_delay_probe {
public:
  using clock = std::chrono::steady_clock;

  /// `bound`: how late a request may be before it is refused.
  queue_delay_probe(boost::asio::io_context& context,
                    std::chrono::microseconds bound);

  /// Arms the timer; it re-arms itself each time it runs, until stop().
  void start();
  /// Call with no thread running the context (the server's drain).
  void stop();

  bool on(const boost::asio::execution_context& context) const {
    return context_ == &context;
  }

  /// For a request head just read on this context at `now`, that waited
  /// `in_kernel` before it was read (zero if unknown): how far behind it
  /// is when it should be refused, zero when it should be served. Call on
  /// the context's thread.
  std::chrono::microseconds
  behind_for_request(clock::time_point now,
                     std::chrono::microseconds in_kernel = {});

private:
  void arm();
  /// How long the armed timer is overdue at `now` (zero when it is not).
  std::chrono::microseconds delay(clock::time_point now) const;

  // Everything below is touched on the context's thread only (start and
  // stop run while no thread runs the context).
  const boost::asio::execution_context* context_;
  boost::asio::steady_timer timer_;
  std::chrono::microseconds bound_;
  std::chrono::microseconds interval_;
  bool stopped_ = true;
  std::optional<clock::time_point> last_late_head_;
};

} // namespace lh::http
