// Who may call what: the access a route needs (from its method and path,
// pure) and the access an API key grants (constant-time comparison against
// the configured keys). The server checks both before it routes a request
// or reads its body (http/session.cpp). docs/SECURITY.md has the model.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"
#include "http/message.hpp"

namespace lh::http {

/// Ordered: a key that grants one level grants the ones below it.
enum class access { open, read, write, internal };

/// What a request needs. open: /health (and /ready, /metrics unless
/// `keyed_probes`); read: GET and HEAD, and the POSTs that only read
/// (search, search/batch, get, count, scroll); internal: /internal/...;
/// write: everything else.
access required_access(method verb, std::string_view path, bool keyed_probes);

/// The key a client presented: `Authorization: Bearer <key>` or
/// `api-key: <key>` (Qdrant's clients send the latter). Empty: none.
std::string_view presented_key(std::string_view authorization,
                               std::string_view api_key_header);

/// Whether a bind address only takes connections from this machine.
bool is_loopback(std::string_view bind);

class key_check {
public:
  key_check() = default; // no keys: everything is open
  explicit key_check(const auth_settings& auth);

  bool enabled() const { return !keys_.empty(); }
  bool keyed_probes() const { return keyed_probes_; }

  /// What `key` grants; nullopt when it is none of the configured keys.
  /// Compares against every key, in time that does not depend on where
  /// the bytes differ.
  std::optional<access> granted(std::string_view key) const;

  /// Why a request that needs `needed` and presented `key` is refused
  /// (ec::unauthorized, ec::forbidden), or nullopt to let it through.
  std::optional<error> refusal(access needed, std::string_view key) const;

private:
  struct entry {
    std::string key;
    access grants;
  };
  std::vector<entry> keys_;
  bool keyed_probes_ = false;
};

} // namespace lh::http
