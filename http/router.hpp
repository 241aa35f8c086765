// Maps a method and path to a handler: pure, no I/O. Patterns are literal
// segments, "{name}" (one segment) and a final "{name*}" (the rest of the
// path, slashes included). Used by http/session.cpp; tested on its own.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace lh::http {

/// Decides from a request's head alone (path, query, params; no body yet)
/// whether to refuse it: the answer to send, or nullopt to read the body
/// and run the handler. A refusal here costs no body bytes in memory.
using admission = std::function<std::optional<response>(const request& head)>;

struct route {
  method verb;
  std::string pattern;
  uint64_t body_limit;
  handler fn;
  admission admit{}; // empty: every request goes on to its body
};

struct route_match {
  enum outcome { found, not_found, method_not_allowed };
  outcome result = not_found;
  const route* matched = nullptr;
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<method> allowed; // for 405: the methods the path accepts
};

class router {
public:
  /// A body over `body_limit` bytes is refused with 413; no limit given:
  /// limits().max_body_bytes as it is when the route is added.
  void add(method verb, std::string pattern, handler fn,
           std::optional<uint64_t> body_limit = std::nullopt,
           admission admit = {});

  route_match find(method verb, std::string_view path) const;

private:
  std::vector<route> routes_;
};

/// Matches `path` against one pattern, appending placeholder values.
bool match_pattern(std::string_view pattern, std::string_view path,
                   std::vector<std::pair<std::string, std::string>>& params);

} // namespace lh::http
