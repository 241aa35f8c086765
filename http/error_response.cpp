#include "http/error_response.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "storage/key_rules.hpp"

namespace lh::http {

unsigned status_of(ec code) {
  switch (code) {
    case ec::invalid_argument: return 400;
    case ec::not_found: return 404;
    case ec::method_not_allowed: return 405;
    case ec::already_exists: return 409;
    case ec::payload_too_large: return 413;
    case ec::not_ready: return 503;
    case ec::timeout: return 503;
    case ec::unavailable: return 503;
    case ec::bad_gateway: return 502;
    case ec::gateway_timeout: return 504;
    case ec::storage_failure: return 500;
    case ec::no_space: return 507; // Insufficient Storage
    case ec::io_error: return 500;
    case ec::busy: return 503;
    case ec::corrupt_data: return 500;
    case ec::stale_write: return 409; // Conflict: a newer write won
    case ec::config_error: return 500;
    case ec::header_too_large: return 431;
    case ec::unauthorized: return 401;
    case ec::forbidden: return 403;
    case ec::queue_full: return 429; // Too Many Requests
    case ec::overloaded: return 503;
    case ec::internal: return 500;
  }
  return 500;
}

namespace {

// A message may quote what the client sent (a key, a name): bytes that are
// not UTF-8 become U+FFFD, so the body is always valid JSON text (Boost.JSON
// escapes control characters but copies other bytes as they are).
std::string valid_utf8(std::string_view text) {
  if (is_valid_utf8(text))
    return std::string{text};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3
                                : (c >> 3) == 0x1E ? 4 : 0;
    if (len > 0 && i + len <= text.size()
        && is_valid_utf8(text.substr(i, len))) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD"; // U+FFFD
      ++i;
    }
  }
  return out;
}

} // namespace

response error_response(const error& err) {
  response r;
  r.status = status_of(err.code);
  r.body = boost::json::serialize(boost::json::object{
    {"error", valid_utf8(err.message)}, {"code", to_string(err.code)}});
  if (err.code == ec::not_ready || err.code == ec::timeout
      || err.code == ec::unavailable || err.code == ec::busy
      || err.code == ec::queue_full || err.code == ec::overloaded)
    r.headers.emplace_back("Retry-After", "1");
  if (err.code == ec::unauthorized)
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

response json_response(std::string body, unsigned status) {
  response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

} // namespace lh::http
