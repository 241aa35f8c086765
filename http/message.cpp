#include "http/message.hpp"

namespace lh::http {

std::string_view to_string(method m) {
  switch (m) {
    case method::get: return "GET";
    case method::head: return "HEAD";
    case method::post: return "POST";
    case method::put: return "PUT";
    case method::del: return "DELETE";
    case method::other: break;
  }
  return "OTHER";
}

std::string_view request::param(std::string_view name) const {
  for (auto& [key, value] : params)
    if (key == name)
      return value;
  return {};
}

bool query_param(std::string_view query, std::string_view name,
                 std::string& value) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    auto key = pair.substr(0, eq);
    if (key == name) {
      value = eq == std::string_view::npos ? std::string{}
                                           : std::string{pair.substr(eq + 1)};
      return true;
    }
    if (amp == std::string_view::npos)
      break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

} // namespace lh::http
