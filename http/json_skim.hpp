// Finding the items of a large add body without parsing it: simdjson's
// on-demand parser indexes every structural character of a document
// before it reads any (4 bytes each: for a body of floats ~1.4x the
// body's size), so a 234 MB add would hold the body, that index and the
// floats at once. Split first, each item is then parsed as a document of
// its own, and the index stays the size of one item.
//
// Only the shape {"items": [ <value>, ... ]} is split (whitespace
// anywhere); anything else (another key, an escaped key, a value that
// does not end) gives nullopt, and the caller parses the body whole,
// which says what is wrong. The skim checks only where values end;
// what is inside an item is simdjson's to check.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace lh::json {

struct text_range {
  size_t offset = 0;
  size_t length = 0;
};

/// Where each element of the root object's "items" array lies in `body`.
std::optional<std::vector<text_range>> items_of(std::string_view body);

} // namespace lh::json
