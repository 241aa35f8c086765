// The write-ahead log record decoder on arbitrary bytes: a torn or damaged
// record is refused with an error; never a crash, never an oversized
// allocation from a length field.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "index/wal_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)lh::wal::decode({reinterpret_cast<const char*>(data), size});
  return 0;
}
