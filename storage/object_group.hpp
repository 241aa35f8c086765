// A group of objects written in one store call (the write-ahead log's group
// commit), and its wire form for storaged's append route:
//   repeated [u32 big-endian key length][key][u64 big-endian value length][value]
// Pure; used by http/remote_store_actor (encode) and storaged (decode).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/error.hpp"

namespace lh {

/// key -> value, written all at once or not at all.
using object_group = std::vector<std::pair<std::string, std::string>>;

std::string encode_object_group(const object_group& objects);

/// ec::invalid_argument for a body that is cut short or has trailing bytes;
/// never reads past `body`.
expected<object_group> decode_object_group(std::string_view body);

} // namespace lh
