#include "storage/key_rules.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <simdjson.h>

namespace lh {

namespace {

// Quotes a key for an error message without echoing raw control bytes.
std::string printable(std::string_view text) {
  std::string out;
  size_t limit = 64;
  for (char c : text.substr(0, limit)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static constexpr char digits[] = "0123456789ABCDEF";
      out += "\\x";
      out += digits[u >> 4];
      out += digits[u & 0xf];
    } else {
      out += c;
    }
  }
  if (text.size() > limit)
    out += "...";
  return out;
}

expected<void> check_bytes(std::string_view text, std::string_view what) {
  if (text.size() > max_key_bytes)
    return make_error(ec::invalid_argument, std::string{what} + " is "
                                              + std::to_string(text.size())
                                              + " bytes, over the limit of "
                                              + std::to_string(max_key_bytes));
  for (size_t i = 0; i < text.size(); ++i) {
    auto u = static_cast<unsigned char>(text[i]);
    if (u < 0x20 || u == 0x7f)
      return make_error(ec::invalid_argument,
                        std::string{what} + " '" + printable(text)
                          + "' has a control byte at offset "
                          + std::to_string(i));
  }
  if (!is_valid_utf8(text))
    return make_error(ec::invalid_argument, std::string{what} + " '"
                                              + printable(text)
                                              + "' is not valid UTF-8");
  return {};
}

} // namespace

expected<std::string> percent_decode(std::string_view text) {
  auto escaped = boost::urls::make_pct_string_view(text);
  if (!escaped)
    return make_error(ec::invalid_argument,
                      "bad percent-escape in '" + printable(text)
                        + "': a '%' must be followed by two hex digits");
  return escaped->decode(); // '+' stays '+' (no form decoding)
}

std::string percent_encode(std::string_view text) {
  static constexpr auto plain = boost::urls::unreserved_chars + '/';
  return boost::urls::encode(text, plain);
}

bool is_valid_utf8(std::string_view text) {
  return simdjson::validate_utf8(text);
}

expected<void> validate_key(std::string_view key) {
  if (key.empty())
    return make_error(ec::invalid_argument, "key is empty");
  if (auto ok = check_bytes(key, "key"); !ok)
    return ok;
  // A backslash is a path separator to some clients and tools ("..\\x"):
  // refused, so no key reads as a path that climbs out.
  if (auto at = key.find('\\'); at != std::string_view::npos)
    return make_error(ec::invalid_argument,
                      "key '" + printable(key) + "' has a backslash at offset "
                        + std::to_string(at));
  size_t start = 0;
  while (start <= key.size()) {
    auto end = key.find('/', start);
    if (end == std::string_view::npos)
      end = key.size();
    auto segment = key.substr(start, end - start);
    if (segment == "." || segment == "..")
      return make_error(ec::invalid_argument,
                        "key '" + printable(key) + "' has a '"
                          + std::string{segment} + "' path segment");
    start = end + 1;
  }
  return {};
}

expected<void> validate_prefix(std::string_view prefix) {
  return check_bytes(prefix, "prefix");
}

expected<std::string> decode_key(std::string_view raw) {
  auto key = percent_decode(raw);
  if (!key)
    return key;
  if (auto ok = validate_key(*key); !ok)
    return ok.error();
  return key;
}

} // namespace lh

namespace lh {

bool is_reserved_key(std::string_view key) {
  for (auto p : reserved_prefixes)
    if (key.starts_with(p))
      return true;
  return false;
}

bool may_list_reserved(std::string_view prefix) {
  for (auto p : reserved_prefixes)
    if (p.starts_with(prefix) || prefix.starts_with(p))
      return true;
  return false;
}

} // namespace lh
