// Rules for object-store keys: percent-decoding of the URL part that names a
// key, and the forms refused because they could escape or confuse. Used by
// storaged's routes and by the rocks_store itself.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "config/error.hpp"

namespace lh {

inline constexpr size_t max_key_bytes = 1024;

/// Decodes %XX escapes (either case; Boost.URL). A '%' not followed by two
/// hex digits is an error; '+' stays '+'.
expected<std::string> percent_decode(std::string_view text);

/// Encodes every byte outside [A-Za-z0-9-._~/] as %XX (for clients/tests).
std::string percent_encode(std::string_view text);

/// Refuses empty keys, keys over max_key_bytes, control bytes (NUL
/// included), backslashes, invalid UTF-8, and "." or ".." path segments.
expected<void> validate_key(std::string_view key);

/// Refuses a list prefix with control bytes, invalid UTF-8 or over
/// max_key_bytes; the empty prefix is allowed (it lists everything).
expected<void> validate_prefix(std::string_view prefix);

/// percent_decode, then validate_key: the key named by a URL path tail.
expected<std::string> decode_key(std::string_view raw);

/// The prefixes of the vector service's own objects (index snapshots and
/// write-ahead log records). The public storage routes refuse them; only
/// storaged's internal routes, for the service's own key, reach them.
inline constexpr std::string_view reserved_prefixes[] = {"_vectors/", "_wal/"};

/// True when `key` lies under a reserved prefix.
bool is_reserved_key(std::string_view key);

/// True when a list of `prefix` could name a reserved key (the empty
/// prefix, "_", "_v", ... as well as "_wal/x").
bool may_list_reserved(std::string_view prefix);

/// True when `text` is well-formed UTF-8 (no overlongs, no surrogates;
/// simdjson's validator).
bool is_valid_utf8(std::string_view text);

} // namespace lh
