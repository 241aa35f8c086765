// Settings of every service: the struct with its built-in defaults, loading
// from one TOML file, and validation. Used by each main in apps/ and by tests.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/error.hpp"
#include "config/request_limits.hpp"

namespace lh {

struct storaged_settings {
  std::string bind = "127.0.0.1";
  uint16_t port = 3211;
  std::string data_dir = "./data";
  uint64_t max_value_bytes = uint64_t{4} << 30; // 4 GiB
};

/// Changes an index takes while one is being applied, by default.
inline constexpr uint32_t default_max_queued_changes = 256;
/// Requests from HTTP threads waiting for actors, by default.
inline constexpr uint32_t default_max_waiting_requests = 16'384;

struct vectord_settings {
  std::string bind = "127.0.0.1";
  uint16_t port = 3215;
  std::string storaged_url = "http://127.0.0.1:3211";
  uint32_t rehydrate_timeout_ms = 60'000;
  uint32_t max_queued_changes = default_max_queued_changes; // then 429
  uint32_t max_waiting_requests = default_max_waiting_requests; // then 503
};

struct gateway_settings {
  std::string bind = "127.0.0.1";
  uint16_t port = 3110;
  std::string vectord_url = "http://127.0.0.1:3215";
  std::string storaged_url = "http://127.0.0.1:3211";
};

/// The all-in-one binary's own listening address (not [gateway]'s).
struct lakehouse_settings {
  std::string bind = "127.0.0.1";
  uint16_t port = 3110;
};

/// API keys (docs/SECURITY.md). No key at all: every route is open, as on
/// a loopback-only default. Keys also come from the environment
/// (LAKEHOUSE_API_KEYS, LAKEHOUSE_READ_ONLY_KEYS: comma-separated;
/// LAKEHOUSE_SERVICE_KEY), so they need not sit in the file.
struct auth_settings {
  std::vector<std::string> api_keys;       // every route
  std::vector<std::string> read_only_keys; // search, get, count, scroll, list, info
  /// What the services present to each other (vectord to storaged, the
  /// gateway upstream); it also opens storaged's internal routes.
  std::string service_key;
  bool keyed_probes = false; // /ready (and /metrics) need a key too

  bool enabled() const {
    return !api_keys.empty() || !read_only_keys.empty()
           || !service_key.empty();
  }
};

/// The shortest API key a config may set.
inline constexpr size_t min_key_length = 16;

struct settings {
  storaged_settings storaged;
  vectord_settings vectord;
  gateway_settings gateway;
  lakehouse_settings lakehouse;
  auth_settings auth;
  request_limits limits; // [limits]: what one request may ask
  std::string log_level = "info";       // trace, debug, info, warn, error
  uint32_t io_threads = 0;              // HTTP I/O threads; 0 = one per core
  uint32_t request_timeout_ms = 30'000; // HTTP request -> actor reply
  uint32_t max_connections = 4096;      // open HTTP connections per server
  uint64_t max_body_bytes_in_flight = uint64_t{1} << 30; // bodies held at once
  uint32_t max_queue_delay_ms = 50; // an I/O thread this far behind: 503; 0 = off
  uint32_t idle_timeout_s = 60; // a connection waiting for (the rest of) a request
  uint32_t body_grace_s = 10;   // a body's deadline: this plus 1 MiB/s
  std::string config_path;              // where these came from; "" = defaults
};

/// Parses TOML text; `source` names it in error messages. Unknown keys,
/// wrong types and out-of-range values are errors naming key and source.
expected<settings> parse_settings(std::string_view toml_text,
                                  std::string_view source);

/// Loads `path` when given (it must exist), else ./lakehouse.toml when it
/// exists, else the built-in defaults.
expected<settings> load_settings(const std::optional<std::string>& path);

/// Keys from the environment replace the file's (each variable that is
/// set replaces its list). `env` is std::getenv outside tests.
void apply_auth_environment(auth_settings& a,
                            const std::function<const char*(const char*)>& env);

/// Checks values that do not depend on the file format (log level, ...).
expected<void> validate(const settings& s);

} // namespace lh
