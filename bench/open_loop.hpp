// An open-loop load generator: requests are due at a fixed rate whatever
// the server does (as from many independent clients), each sent on an
// idle keep-alive connection or, when none is idle, on a new one (up to a
// cap). Latency is measured from when a request was due, not from when a
// connection was free to send it, so a server that falls behind is seen
// falling behind (no coordinated omission). One thread, epoll.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/load_client.hpp"

namespace bench {

struct open_loop_result {
  size_t due = 0;      // requests that fell due
  size_t ok = 0;       // answered 200
  size_t refused = 0;  // answered 429 or 503
  size_t errors = 0;   // other statuses, connections closed unanswered
  size_t resets = 0;   // of those: reset by the server (ECONNRESET)
  size_t unsent = 0;   // due with every connection busy at the cap
  size_t timed_out = 0; // still unanswered 5 s after the run
  size_t connections = 0; // opened over the run
  double seconds = 0;
  std::vector<sample> samples; // every answer; micros since it was due
  // Per request sent: micros from when it was due to when its last byte
  // went to the kernel. The client's own lag (it shares the cores): what
  // of an answer's latency the server never saw.
  std::vector<float> send_lag;
};

/// Sends requests[i % size] at `rate` per second for `seconds`, on at most
/// `max_connections` connections (`initial` opened before the clock
/// starts), then waits up to 5 s for the answers still due.
open_loop_result run_open_loop(uint16_t port, double rate, double seconds,
                               const std::vector<std::string>& requests,
                               size_t max_connections, size_t initial = 16);

} // namespace bench
