// The key and name rules on arbitrary bytes, with their promises checked:
// an accepted store key has no "." or ".." segment, no control byte, no
// backslash and is
// valid UTF-8; an accepted index name is of A-Z a-z 0-9 _ . - only and
// not "." or "..". A broken promise aborts (a finding).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "index/vector_index.hpp"
#include "storage/key_rules.hpp"

namespace {

void promise(bool ok) {
  if (!ok)
    std::abort();
}

void check_key(std::string_view key) {
  promise(!key.empty() && key.size() <= lh::max_key_bytes);
  promise(lh::is_valid_utf8(key));
  for (unsigned char c : key)
    promise(c >= 0x20 && c != 0x7f && c != '\\');
  size_t start = 0;
  while (start <= key.size()) {
    auto end = key.find('/', start);
    auto segment = key.substr(start, end == std::string_view::npos
                                       ? std::string_view::npos
                                       : end - start);
    promise(segment != "." && segment != "..");
    if (end == std::string_view::npos)
      break;
    start = end + 1;
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  if (auto key = lh::decode_key(text))
    check_key(*key);
  if (lh::validate_key(text))
    check_key(text);
  (void)lh::validate_prefix(text);
  (void)lh::is_reserved_key(text);
  (void)lh::may_list_reserved(text);
  if (lh::validate_index_name(text)) {
    promise(text != "." && text != "..");
    for (char c : text)
      promise((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-');
  }
  return 0;
}
