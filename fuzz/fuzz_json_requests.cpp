// The JSON request decoders on arbitrary bytes: the first byte picks the
// decoder (create, add, search, get, delete, count, scroll, filter), the
// rest is the body (bit 7: with padding room; bit 6: an add is split
// into its items as a large one is). Any input must give a value or an error, never a
// crash, a leak or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string>

#include "http/filter_json.hpp"
#include "http/item_json.hpp"
#include "http/vector_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  // Bodies come from the server with spare capacity (parsed in place); a
  // plain string takes the copying path. Both are exercised.
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 0x80)
    body.reserve(body.size() + 64);
  using namespace lh::json;
  switch (data[0] % 8) {
    case 0: (void)parse_create(body); break;
    case 1: // bit 6: split into items as a large body is (json_skim)
      (void)parse_add(body, 4, data[0] & 0x40 ? 0 : split_add_above);
      break;
    case 2: (void)parse_search(body); break;
    case 3: (void)parse_get(body); break;
    case 4: (void)parse_delete(body); break;
    case 5: (void)parse_count(body); break;
    case 6: (void)parse_scroll(body); break;
    default: (void)parse_filter(body); break;
  }
  return 0;
}
