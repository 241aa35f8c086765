// CRC32C (Castagnoli), the checksum of LHV1 graph bytes. Uses the SSE4.2
// instruction when the build targets it, a table otherwise.
#pragma once

#include <cstdint>
#include <string_view>

namespace lh {

uint32_t crc32c(std::string_view bytes, uint32_t crc = 0);

} // namespace lh
