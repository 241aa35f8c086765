// Big-endian integers in byte strings, as the project's binary formats
// write them (rocks_store's chunk headers and generations, the append
// route's object groups, the write-ahead log's records).
#pragma once

#include <cstdint>
#include <string>

namespace lh {

/// Appends the low `bytes` bytes of `value`, most significant first.
inline void append_be(std::string& out, uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8)
    out += static_cast<char>((value >> shift) & 0xff);
}

/// Reads `bytes` bytes at `p`; the caller has checked they are there.
inline uint64_t read_be(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

} // namespace lh
