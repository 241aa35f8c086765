// A blocking HTTP/1.1 client over one kept-alive connection: tests, tools
// and benchmarks use it. Beast stays inside client.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "config/error.hpp"
#include "http/message.hpp"

namespace lh::http {

class blocking_client {
public:
  blocking_client(std::string host, uint16_t port,
                  std::chrono::milliseconds timeout = std::chrono::seconds{30});
  ~blocking_client();
  blocking_client(blocking_client&&) noexcept;
  blocking_client& operator=(blocking_client&&) noexcept;

  /// Sends one request and reads its response; reconnects once when the
  /// kept-alive connection was closed by the server. Errors are transport
  /// failures only: any HTTP status is a successful response.
  expected<response> send(method verb, const std::string& target,
                          std::string body = {},
                          const header_list& headers = {});

  expected<response> get(const std::string& target) {
    return send(method::get, target);
  }

  /// Number of TCP connections opened so far (keep-alive tests).
  int connections_opened() const;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace lh::http
