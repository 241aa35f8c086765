#include "http/access.hpp"

#include <algorithm>
#include <cctype>

namespace lh::http {

namespace {

bool ends_with_any(std::string_view path,
                   std::initializer_list<std::string_view> tails) {
  for (auto t : tails)
    if (path.ends_with(t))
      return true;
  return false;
}

// Equal in time that depends only on the lengths, never on the first byte
// that differs.
bool same_key(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  auto n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    auto x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    auto y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

} // namespace

access required_access(method verb, std::string_view path, bool keyed_probes) {
  if (path == "/health")
    return access::open;
  if (path == "/ready" || path == "/metrics")
    return keyed_probes ? access::read : access::open;
  if (path.starts_with("/internal/"))
    return access::internal;
  if (verb == method::get || verb == method::head)
    return access::read;
  if (verb == method::post
      && ends_with_any(path, {"/search", "/search/batch", "/get", "/count",
                              "/scroll"}))
    return access::read;
  return access::write;
}

bool is_loopback(std::string_view bind) {
  return bind.starts_with("127.") || bind == "::1" || bind == "localhost";
}

std::string_view presented_key(std::string_view authorization,
                               std::string_view api_key_header) {
  if (!api_key_header.empty())
    return api_key_header;
  constexpr std::string_view bearer = "Bearer ";
  if (authorization.size() > bearer.size()) {
    auto scheme = authorization.substr(0, bearer.size());
    bool is_bearer = true;
    for (size_t i = 0; i < bearer.size(); ++i)
      is_bearer &= std::tolower(static_cast<unsigned char>(scheme[i]))
                   == std::tolower(static_cast<unsigned char>(bearer[i]));
    if (is_bearer)
      return authorization.substr(bearer.size());
  }
  return {};
}

key_check::key_check(const auth_settings& auth)
  : keyed_probes_(auth.keyed_probes) {
  for (auto& k : auth.read_only_keys)
    keys_.push_back({k, access::read});
  for (auto& k : auth.api_keys)
    keys_.push_back({k, access::write});
  if (!auth.service_key.empty())
    keys_.push_back({auth.service_key, access::internal});
}

std::optional<access> key_check::granted(std::string_view key) const {
  std::optional<access> best;
  for (auto& e : keys_) // every key, no early exit
    if (same_key(key, e.key) && (!best || e.grants > *best))
      best = e.grants;
  return best;
}

std::optional<error> key_check::refusal(access needed,
                                        std::string_view key) const {
  if (!enabled() || needed == access::open)
    return std::nullopt;
  if (key.empty())
    return make_error(ec::unauthorized,
                      "an API key is required (Authorization: Bearer <key> "
                      "or api-key: <key>)");
  auto grants = granted(key);
  if (!grants)
    return make_error(ec::unauthorized, "the API key is not valid");
  if (*grants >= needed)
    return std::nullopt;
  return make_error(ec::forbidden,
                    needed == access::internal
                      ? "this route is for the services' own key only"
                      : "this API key is read-only");
}

} // namespace lh::http
