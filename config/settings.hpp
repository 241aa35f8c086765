// Settings of every service: the struct with its built-in defaults, loading
// from one TOML file, and validation. Used by each main in apps/ and by tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/error.hpp"

namespace lh {

struct storaged_settings {
  std::string bind = "127.0.0.1";
  uint16_t port = 3211;
  std::string data_dir = "./data";
  uint64_t max_value_bytes = uint64_t{4} << 30; // 4 GiB
};

struct vectord_settings {
  std::string bind = "127.0.0.1";
  uint16_t port = 3215;
  std::string storaged_url = "http://127.0.0.1:3211";
  uint32_t rehydrate_timeout_ms = 60'000;
};

struct gateway_settings {
  std::string bind = "127.0.0.1";
  uint16_t port = 3110;
  std::string vectord_url = "http://127.0.0.1:3215";
  std::string storaged_url = "http://127.0.0.1:3211";
};

struct settings {
  storaged_settings storaged;
  vectord_settings vectord;
  gateway_settings gateway;
  std::string log_level = "info";       // trace, debug, info, warn, error
  uint32_t io_threads = 0;              // HTTP I/O threads; 0 = one per core
  uint32_t request_timeout_ms = 30'000; // HTTP request -> actor reply
  std::string config_path;              // where these came from; "" = defaults
};

/// Parses TOML text; `source` names it in error messages. Unknown keys,
/// wrong types and out-of-range values are errors naming key and source.
expected<settings> parse_settings(std::string_view toml_text,
                                  std::string_view source);

/// Loads `path` when given (it must exist), else ./lakehouse.toml when it
/// exists, else the built-in defaults.
expected<settings> load_settings(const std::optional<std::string>& path);

/// Checks values that do not depend on the file format (log level, ...).
expected<void> validate(const settings& s);

} // namespace lh
