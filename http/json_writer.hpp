// Small helpers to write JSON text by hand: string escaping and quoting.
// Replies are simple, so this avoids a JSON library in most files.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace lh::json {

/// Appends `text` as a quoted JSON string, escaping as RFC 8259 requires.
void append_quoted(std::string& out, std::string_view text);

/// `text` as a quoted JSON string.
std::string quoted(std::string_view text);

/// A JSON array of strings.
std::string string_array(std::span<const std::string> items);

} // namespace lh::json
