#include "http/json_skim.hpp"

#include <array>
#include <cstdint>

namespace lh::json {

namespace {

constexpr size_t none = std::string_view::npos;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t skip_space(std::string_view s, size_t i) {
  while (i < s.size() && is_space(s[i]))
    ++i;
  return i;
}

// Past the closing quote of the string opening at s[i]; none if unclosed.
size_t skip_string(std::string_view s, size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\')
      ++i;
    else if (s[i] == '"')
      return i + 1;
  }
  return none;
}

// The characters a container's skim stops at: the rest (digits, commas,
// letters, spaces) is passed over one table lookup per byte.
constexpr std::array<bool, 256> stops = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : std::string_view{"\"[]{}"})
    t[c] = true;
  return t;
}();

// Past the array or object opening at s[i] (matched by depth only).
size_t skip_container(std::string_view s, size_t i) {
  size_t depth = 0;
  while (i < s.size()) {
    auto c = s[i];
    if (!stops[static_cast<uint8_t>(c)]) {
      ++i;
      continue;
    }
    if (c == '"') {
      i = skip_string(s, i);
      if (i == none)
        return none;
      continue;
    }
    if (c == '[' || c == '{')
      ++depth;
    else if (--depth == 0)
      return i + 1;
    ++i;
  }
  return none;
}

// Past the value starting at s[i]: a string, a container, or a scalar
// (a number or a literal, up to the next delimiter).
size_t skip_value(std::string_view s, size_t i) {
  if (i >= s.size())
    return none;
  if (s[i] == '"')
    return skip_string(s, i);
  if (s[i] == '[' || s[i] == '{')
    return skip_container(s, i);
  size_t start = i;
  while (i < s.size() && s[i] != ',' && s[i] != ']' && s[i] != '}'
         && !is_space(s[i]))
    ++i;
  return i > start ? i : none;
}

} // namespace

std::optional<std::vector<text_range>> items_of(std::string_view s) {
  auto i = skip_space(s, 0);
  if (i >= s.size() || s[i] != '{')
    return std::nullopt;
  i = skip_space(s, i + 1);
  if (s.substr(i, 7) != R"("items")")
    return std::nullopt;
  i = skip_space(s, i + 7);
  if (i >= s.size() || s[i] != ':')
    return std::nullopt;
  i = skip_space(s, i + 1);
  if (i >= s.size() || s[i] != '[')
    return std::nullopt;
  std::vector<text_range> items;
  i = skip_space(s, i + 1);
  if (i < s.size() && s[i] == ']') {
    ++i;
  } else {
    for (;;) {
      auto end = skip_value(s, i);
      if (end == none)
        return std::nullopt;
      items.push_back({i, end - i});
      i = skip_space(s, end);
      if (i >= s.size())
        return std::nullopt;
      if (s[i] == ']') {
        ++i;
        break;
      }
      if (s[i] != ',')
        return std::nullopt;
      i = skip_space(s, i + 1);
    }
  }
  i = skip_space(s, i);
  if (i >= s.size() || s[i] != '}')
    return std::nullopt;
  if (skip_space(s, i + 1) != s.size())
    return std::nullopt;
  return items;
}

} // namespace lh::json
