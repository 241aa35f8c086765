// The HTTP request and response as the rest of the code sees them: plain
// structs with no Beast inside, so routes and handlers compile fast and
// test without a socket. Filled and sent by http/session.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lh::http {

enum class method { get, head, post, put, del, other };

std::string_view to_string(method m);

using header_list = std::vector<std::pair<std::string, std::string>>;

/// Spare bytes the server reserves after a request body it reads: JSON
/// parsers that need padding (simdjson) then parse the body in place.
inline constexpr size_t body_padding = 64;

struct request {
  method verb = method::get;
  std::string path;  // raw (still percent-encoded), without the query
  std::string query; // raw, without the '?'
  std::string body;
  std::string content_type;
  /// The API key the client presented (http/access.hpp), checked by the
  /// server before the handler runs; the gateway passes it upstream.
  std::string api_key;
  /// Values of the route's {name} placeholders, raw, in pattern order.
  std::vector<std::pair<std::string, std::string>> params;

  /// The raw value of a {name} placeholder; empty when absent.
  std::string_view param(std::string_view name) const;
};

struct response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  header_list headers; // extra headers, e.g. Allow or Retry-After
};

/// Completes a request; callable once, from any thread.
using respond_fn = std::function<void(response)>;

/// Handles one request; must call `respond` exactly once, now or later.
using handler = std::function<void(request&, respond_fn respond)>;

/// The raw value of `name` in a query string ("a=1&b=2"), not decoded.
/// Returns false when the parameter is absent.
bool query_param(std::string_view query, std::string_view name,
                 std::string& value);

} // namespace lh::http
