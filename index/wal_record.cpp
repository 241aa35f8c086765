#include "index/wal_record.hpp"

#include <charconv>
#include <cstring>

#include "storage/big_endian.hpp"
#include "storage/crc32c.hpp"

namespace lh::wal {

namespace {

constexpr size_t header_bytes = 4 + 1 + 8 + 4;
constexpr size_t crc_bytes = 4;
constexpr int sequence_digits = 20; // UINT64_MAX has 20

void put_text(std::string& out, std::string_view text) {
  append_be(out, text.size(), 4);
  out += text;
}

// Frames a payload: header in front, checksum behind.
std::string frame(kind what, uint64_t sequence, const std::string& payload) {
  std::string out;
  out.reserve(header_bytes + payload.size() + crc_bytes);
  out += magic;
  out += static_cast<char>(what);
  append_be(out, sequence, 8);
  append_be(out, payload.size(), 4);
  out += payload;
  append_be(out, crc32c(out), 4);
  return out;
}

// Reads a payload front to back; every read is bounded by what is left.
class reader {
public:
  explicit reader(std::string_view bytes) : bytes_(bytes) {}

  bool number(uint64_t& value, int bytes) {
    if (left() < static_cast<size_t>(bytes))
      return false;
    value = read_be(bytes_.data() + at_, bytes);
    at_ += bytes;
    return true;
  }
  bool u32(uint32_t& value) {
    uint64_t v = 0;
    if (!number(v, 4))
      return false;
    value = static_cast<uint32_t>(v);
    return true;
  }
  bool text(std::string& out) {
    uint32_t n = 0;
    if (!u32(n) || left() < n)
      return false;
    out.assign(bytes_.substr(at_, n));
    at_ += n;
    return true;
  }
  bool raw(void* out, size_t n) {
    if (left() < n)
      return false;
    if (n > 0)
      std::memcpy(out, bytes_.data() + at_, n);
    at_ += n;
    return true;
  }
  size_t left() const { return bytes_.size() - at_; }

private:
  std::string_view bytes_;
  size_t at_ = 0;
};

error corrupt(uint64_t sequence, const std::string& what) {
  return make_error(ec::corrupt_data, "log record " + std::to_string(sequence)
                                        + ": " + what);
}

bool decode_params(reader& in, index_params& p) {
  uint64_t space = 0;
  if (!in.text(p.name) || !in.u32(p.dimension) || !in.number(space, 1)
      || !in.u32(p.m) || !in.u32(p.ef_construction) || !in.u32(p.ef_search))
    return false;
  if (space > static_cast<uint64_t>(metric::dot))
    return false;
  p.space = static_cast<metric>(space);
  return true;
}

bool decode_ids(reader& in, std::vector<std::string>& ids, uint32_t count) {
  // Each id takes at least its 4-byte length: a count past that is a lie.
  if (count > in.left() / 4)
    return false;
  ids.resize(count);
  for (auto& id : ids)
    if (!in.text(id))
      return false;
  return true;
}

bool decode_batch(reader& in, add_batch& b) {
  uint32_t count = 0;
  if (!in.u32(count) || !in.u32(b.dimension) || count > in.left() / 8)
    return false;
  b.ids.resize(count);
  b.metadata.resize(count);
  for (uint32_t i = 0; i < count; ++i)
    if (!in.text(b.ids[i]) || !in.text(b.metadata[i]))
      return false;
  auto floats = uint64_t{count} * b.dimension;
  if (floats > in.left() / sizeof(float))
    return false;
  b.vectors.resize(floats);
  return in.raw(b.vectors.data(), floats * sizeof(float));
}

} // namespace

std::string prefix_of(std::string_view index_name) {
  return std::string{key_prefix} + std::string{index_name} + "/";
}

std::string key_of(std::string_view index_name, uint64_t sequence) {
  auto digits = std::to_string(sequence);
  return prefix_of(index_name)
         + std::string(sequence_digits - digits.size(), '0') + digits;
}

std::optional<record_key> parse_key(std::string_view key) {
  if (!key.starts_with(key_prefix))
    return std::nullopt;
  auto rest = key.substr(key_prefix.size());
  auto slash = rest.rfind('/');
  if (slash == std::string_view::npos || slash == 0)
    return std::nullopt;
  auto digits = rest.substr(slash + 1);
  if (digits.size() != sequence_digits)
    return std::nullopt;
  record_key out{std::string{rest.substr(0, slash)}, 0};
  auto [end, err] = std::from_chars(digits.data(),
                                    digits.data() + digits.size(), out.sequence);
  if (err != std::errc{} || end != digits.data() + digits.size()
      || !validate_index_name(out.index))
    return std::nullopt;
  return out;
}

std::string encode_create(uint64_t sequence, const index_params& p) {
  std::string payload;
  put_text(payload, p.name);
  append_be(payload, p.dimension, 4);
  append_be(payload, static_cast<uint8_t>(p.space), 1);
  append_be(payload, p.m, 4);
  append_be(payload, p.ef_construction, 4);
  append_be(payload, p.ef_search, 4);
  return frame(kind::create, sequence, payload);
}

std::string encode_add(uint64_t sequence, const add_batch& b) {
  std::string payload;
  size_t bytes = 8 + b.vectors.size() * sizeof(float);
  for (size_t i = 0; i < b.size(); ++i)
    bytes += 8 + b.ids[i].size() + b.metadata[i].size();
  payload.reserve(bytes);
  append_be(payload, b.size(), 4);
  append_be(payload, b.dimension, 4);
  for (size_t i = 0; i < b.size(); ++i) {
    put_text(payload, b.ids[i]);
    put_text(payload, i < b.metadata.size() ? b.metadata[i] : "");
  }
  payload.append(reinterpret_cast<const char*>(b.vectors.data()),
                 b.vectors.size() * sizeof(float));
  return frame(kind::add, sequence, payload);
}

std::string encode_remove(uint64_t sequence,
                          const std::vector<std::string>& ids) {
  std::string payload;
  append_be(payload, ids.size(), 4);
  for (auto& id : ids)
    put_text(payload, id);
  return frame(kind::remove, sequence, payload);
}

std::string encode_drop(uint64_t sequence) {
  return frame(kind::drop, sequence, {});
}

expected<record> decode(std::string_view bytes) {
  record out;
  reader head{bytes};
  uint64_t what = 0, length = 0;
  if (bytes.size() < header_bytes + crc_bytes || !bytes.starts_with(magic))
    return corrupt(0, "short or without its LHW1 header");
  uint64_t ignored_magic = 0;
  head.number(ignored_magic, 4);
  head.number(what, 1);
  head.number(out.sequence, 8);
  head.number(length, 4);
  if (length != bytes.size() - header_bytes - crc_bytes)
    return corrupt(out.sequence, "length " + std::to_string(length)
                                   + " does not match its "
                                   + std::to_string(bytes.size())
                                   + " bytes (torn?)");
  auto body = bytes.substr(0, bytes.size() - crc_bytes);
  reader tail{bytes.substr(body.size())};
  uint64_t stored = 0;
  tail.number(stored, 4);
  if (crc32c(body) != stored)
    return corrupt(out.sequence, "checksum mismatch");
  reader in{bytes.substr(header_bytes, length)};
  bool ok = false;
  uint32_t count = 0;
  switch (static_cast<kind>(what)) {
    case kind::create: ok = decode_params(in, out.params); break;
    case kind::add: ok = decode_batch(in, out.batch); break;
    case kind::remove: ok = in.u32(count) && decode_ids(in, out.ids, count); break;
    case kind::drop: ok = true; break;
    default: return corrupt(out.sequence, "unknown kind " + std::to_string(what));
  }
  if (!ok || in.left() != 0)
    return corrupt(out.sequence, "payload does not match its kind");
  out.what = static_cast<kind>(what);
  return out;
}

} // namespace lh::wal
