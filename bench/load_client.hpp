// A lean HTTP/1.1 load generator: many keep-alive connections driven from
// ONE thread with epoll, requests pre-serialized, so the client steals as
// little CPU as possible from the server on the same machine. Used by
// bench/ann.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

/// A JSON array of `dim` floats ("%g" each: short, and exact enough).
std::string json_vector(const float* v, size_t dim);

/// A full HTTP/1.1 POST request (headers and body) with keep-alive.
std::string make_post(std::string_view path, std::string_view json_body);

/// One answered request: which one, its status, how long it took.
struct sample {
  uint32_t request = 0; // index into the request list
  uint16_t status = 0;
  float micros = 0;
};

struct load_result {
  size_t responses = 0;
  size_t errors = 0;  // transport errors or statuses other than 200/429/503
  size_t refused = 0; // 429 or 503: the server said "retry later"
  double seconds = 0;
  std::vector<sample> samples; // every answered request, in answer order
  double per_second() const { return seconds > 0 ? responses / seconds : 0; }
};

/// A TCP connection to 127.0.0.1:port, TCP_NODELAY (throws when refused).
int connect_loopback(uint16_t port);

/// Parses one complete response at the front of `in`: its length (0 when
/// incomplete), with status and body; `closes` (when given) is set if the
/// server closes the connection after it ("Connection: close").
size_t parse_response(const std::string& in, int& status,
                      std::string_view& body, bool* closes = nullptr);

/// Sends requests[i % size] over `connections` connections (one request in
/// flight on each) until
/// `seconds` have passed or `max_requests` were answered. `on_response`
/// gets the request index and the response body of each 200.
load_result
run_load(uint16_t port, size_t connections,
         const std::vector<std::string>& requests, double seconds,
         size_t max_requests,
         const std::function<void(size_t, std::string_view)>& on_response);

} // namespace bench
