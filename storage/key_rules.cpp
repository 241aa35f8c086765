#include "storage/key_rules.hpp"

namespace lh {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

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
    return make_error(ec::invalid_argument,
                      std::string{what} + " is " + std::to_string(text.size())
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
    return make_error(ec::invalid_argument,
                      std::string{what} + " '" + printable(text)
                        + "' is not valid UTF-8");
  return {};
}

} // namespace

expected<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
    int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (hi < 0 || lo < 0)
      return make_error(ec::invalid_argument,
                        "bad percent-escape at offset " + std::to_string(i)
                          + " in '" + printable(text) + "'");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                 || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
                 || c == '~' || c == '/';
    if (plain) {
      out += c;
    } else {
      out += '%';
      out += digits[u >> 4];
      out += digits[u & 0xf];
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > text.size())
      return false;
    for (size_t j = 1; j < len; ++j) {
      auto cc = static_cast<unsigned char>(text[i + j]);
      if ((cc & 0xc0) != 0x80)
        return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10ffff
        || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

expected<void> validate_key(std::string_view key) {
  if (key.empty())
    return make_error(ec::invalid_argument, "key is empty");
  if (auto ok = check_bytes(key, "key"); !ok)
    return ok;
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
