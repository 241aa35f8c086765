#include "config/error.hpp"

namespace lh {

std::string_view to_string(ec code) {
  switch (code) {
    case ec::invalid_argument: return "invalid_argument";
    case ec::not_found: return "not_found";
    case ec::method_not_allowed: return "method_not_allowed";
    case ec::already_exists: return "already_exists";
    case ec::payload_too_large: return "payload_too_large";
    case ec::not_ready: return "not_ready";
    case ec::timeout: return "timeout";
    case ec::unavailable: return "unavailable";
    case ec::bad_gateway: return "bad_gateway";
    case ec::gateway_timeout: return "gateway_timeout";
    case ec::storage_failure: return "storage_failure";
    case ec::no_space: return "no_space";
    case ec::io_error: return "io_error";
    case ec::busy: return "busy";
    case ec::corrupt_data: return "corrupt_data";
    case ec::stale_write: return "stale_write";
    case ec::config_error: return "config_error";
    case ec::header_too_large: return "header_too_large";
    case ec::unauthorized: return "unauthorized";
    case ec::forbidden: return "forbidden";
    case ec::queue_full: return "queue_full";
    case ec::overloaded: return "overloaded";
    case ec::internal: return "internal";
  }
  return "internal";
}

} // namespace lh
