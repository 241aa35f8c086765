// Shared pieces of the HTTP test suites: an actor system config with our
// error renderer, and a request helper that fails the test on transport
// errors instead of crashing.
#pragma once

#include <string>
#include <string_view>

#include <caf/actor_system_config.hpp>
#include <gtest/gtest.h>

#include "actors/caf_error.hpp"
#include "http/client.hpp"

namespace lh::test {

inline caf::actor_system_config& http_test_config() {
  static caf::actor_system_config cfg = [] {
    caf::actor_system_config c;
    add_error_renderer(c);
    return c;
  }();
  return cfg;
}

inline bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

/// Sends a request; a transport error fails the test and gives status 0.
inline http::response call(http::blocking_client& client, http::method verb,
                           const std::string& target, std::string body = {}) {
  auto r = client.send(verb, target, std::move(body));
  EXPECT_TRUE(r) << r.error().message;
  if (r)
    return *r;
  http::response failed;
  failed.status = 0;
  return failed;
}

} // namespace lh::test
