#include "storage/object_group.hpp"

#include <cstdint>

#include "storage/big_endian.hpp"

namespace lh {

namespace {

// Reads `bytes` big-endian bytes at `at`, advancing it; false past the end.
bool read_at(std::string_view body, size_t& at, int bytes, uint64_t& value) {
  if (body.size() - at < static_cast<size_t>(bytes))
    return false;
  value = read_be(body.data() + at, bytes);
  at += bytes;
  return true;
}

} // namespace

std::string encode_object_group(const object_group& objects) {
  size_t total = 0;
  for (auto& [key, value] : objects)
    total += 12 + key.size() + value.size();
  std::string out;
  out.reserve(total);
  for (auto& [key, value] : objects) {
    append_be(out, key.size(), 4);
    out += key;
    append_be(out, value.size(), 8);
    out += value;
  }
  return out;
}

expected<object_group> decode_object_group(std::string_view body) {
  object_group out;
  size_t at = 0;
  while (at < body.size()) {
    uint64_t key_bytes = 0, value_bytes = 0;
    auto item = "object " + std::to_string(out.size());
    if (!read_at(body, at, 4, key_bytes) || body.size() - at < key_bytes)
      return make_error(ec::invalid_argument, item + ": key cut short");
    auto key = body.substr(at, key_bytes);
    at += key_bytes;
    if (!read_at(body, at, 8, value_bytes) || body.size() - at < value_bytes)
      return make_error(ec::invalid_argument, item + ": value cut short");
    out.emplace_back(std::string{key}, std::string{body.substr(at, value_bytes)});
    at += value_bytes;
  }
  return out;
}

} // namespace lh
