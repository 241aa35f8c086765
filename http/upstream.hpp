// An HTTP/1.1 client pool for one upstream (host:port), async: requests
// complete through a callback, over kept-alive connections reused across
// requests. Used by the gateway to reach vectord and storaged. Beast stays
// inside upstream.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "config/error.hpp"
#include "http/message.hpp"

namespace lh::http {

struct upstream_options {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  size_t max_connections = 32; // requests beyond this wait for one
  /// Requests waiting for a connection; past it a request fails at once
  /// with ec::overloaded (503 with Retry-After at the gateway).
  size_t max_waiting = 1024;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds response_timeout{30000};
  /// The server I/O threads that send requests: a request sent from one is
  /// forwarded and answered on that thread, over connections of its own
  /// (a lane), so max_connections and max_waiting are split evenly over
  /// this many lanes. Requests from any other thread go through the
  /// pool's own thread, as one more lane.
  unsigned lanes = 1;
  /// The key every request presents upstream ([auth] service_key); when
  /// empty, each request presents the key its client sent, if any.
  std::string service_key{};
};

/// Parses "http://host:port" (host must be an IP address).
expected<upstream_options> parse_upstream_url(const std::string& url);

class upstream {
public:
  explicit upstream(upstream_options options);
  ~upstream(); // stops its thread; pending callbacks get an error
  upstream(const upstream&) = delete;
  upstream& operator=(const upstream&) = delete;

  /// Forwards `req.verb`, `target` (path and query), content type and
  /// body, and an API key (the service key, else `client_key`): no other
  /// header of the client's goes upstream. `done` gets the upstream's response
  /// (any status), or ec::bad_gateway when it cannot be reached or breaks the
  /// connection, ec::gateway_timeout when it does not answer in time. Any
  /// thread.
  void send(method verb, const std::string& target,
            const std::string& content_type, std::string body,
            std::function<void(expected<response>)> done,
            const std::string& client_key = {});

  /// TCP connections opened so far (tests check reuse).
  size_t connections_opened() const;

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace lh::http
