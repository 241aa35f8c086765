// The one error vocabulary of the project: an error code, a message, and a
// small expected<T>. Used by every layer; CAF errors are converted at actors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace lh {

/// Every failure the product can report. The HTTP status of each lives in
/// one function, http::status_of (http/error_response.hpp).
enum class ec : uint8_t {
  invalid_argument = 1, // bad input from a client
  not_found,            // missing key, index or route
  method_not_allowed,   // known path, wrong method
  already_exists,       // create of something that exists
  payload_too_large,    // body or value past its limit
  not_ready,            // still starting or loading
  timeout,              // an actor or upstream did not answer in time
  unavailable,          // a store or actor is down
  bad_gateway,          // the gateway's upstream is down or broke
  gateway_timeout,      // the gateway's upstream did not answer in time
  storage_failure,      // RocksDB or file I/O failed (none of the below)
  no_space,             // the disk is full: writes fail, reads work
  io_error,             // the disk or file system failed a read or write
  busy,                 // the store is busy (lock or write stall): retry
  corrupt_data,         // stored bytes that fail to decode
  stale_write,          // a write older than the key's stored generation
  config_error,         // bad config file, flag or key
  header_too_large,     // request headers past the server's limit
  unauthorized,         // no API key, or a wrong one
  forbidden,            // a key without the right (read-only), internal data
  queue_full,           // one index's queue of changes is full: retry (429)
  overloaded,           // the server as a whole is saturated: retry (503)
  internal,             // a bug: never expected
};

/// The stable name of a code, e.g. "not_found"; used in JSON error bodies.
std::string_view to_string(ec code);

struct error {
  ec code = ec::internal;
  std::string message;
};

inline error make_error(ec code, std::string message) {
  return error{code, std::move(message)};
}

/// A value or an error. Kept small on purpose: pure code returns it without
/// pulling CAF headers into every translation unit.
template <class T>
class expected {
public:
  expected(T value) : state_(std::move(value)) {}
  expected(lh::error err) : state_(std::move(err)) {}

  explicit operator bool() const noexcept { return state_.index() == 0; }
  bool has_value() const noexcept { return state_.index() == 0; }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const lh::error& error() const { return std::get<1>(state_); }
  lh::error& error() { return std::get<1>(state_); }

private:
  std::variant<T, lh::error> state_;
};

/// Success without a value, or an error.
template <>
class expected<void> {
public:
  expected() = default;
  expected(lh::error err) : error_(std::move(err)), failed_(true) {}

  explicit operator bool() const noexcept { return !failed_; }
  bool has_value() const noexcept { return !failed_; }
  const lh::error& error() const { return error_; }
  lh::error& error() { return error_; }

private:
  lh::error error_;
  bool failed_ = false;
};

} // namespace lh
