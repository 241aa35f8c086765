// How far behind an I/O context is: a timer due every `interval` records
// when it is due; while it is overdue, every handler the context runs now
// has waited at least that long (the socket reads queued behind a burst).
// A session reads the delay of its own context when a request head
// arrives and, past server_options::max_queue_delay, refuses the request
// at once (503) instead of serving it late: under overload the accepted
// requests keep their latency and the rest cost a few microseconds each.
// Event-loop lag as a load signal, as in node's toobusy or hapi's
// maxEventLoopDelay; measured live (overdue now), not from the last fire,
// so a long handler that has ended leaves no stale delay behind. A thread
// that was merely not scheduled (a starved CPU, a paused VM) is late with
// no work queued: so a request is counted as behind only when another one
// was read while the timer was already overdue, i.e. requests queue up.
#pragma once

#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace lh::http {

class queue_delay_probe {
public:
  using clock = std::chrono::steady_clock;

  queue_delay_probe(boost::asio::io_context& context,
                    std::chrono::microseconds interval);

  /// Arms the timer; it re-arms itself each time it runs, until stop().
  void start();
  /// Call with no thread running the context (the server's drain).
  void stop();

  bool on(const boost::asio::execution_context& context) const {
    return context_ == &context;
  }

  /// For a request head just read on this context: how far behind it is,
  /// zero unless another head was read since the timer fell overdue. Call
  /// on the context's thread.
  std::chrono::microseconds behind_for_request(clock::time_point now);

private:
  void arm();
  /// How long the armed timer is overdue at `now` (zero when it is not).
  std::chrono::microseconds delay(clock::time_point now) const;

  // Everything below is touched on the context's thread only (start and
  // stop run while no thread runs the context).
  const boost::asio::execution_context* context_;
  boost::asio::steady_timer timer_;
  std::chrono::microseconds interval_;
  bool stopped_ = true;
  size_t late_heads_ = 0; // heads read while overdue
};

} // namespace lh::http
