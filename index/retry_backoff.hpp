// How long to wait before retrying a failed store call: 100 ms doubling
// per consecutive failure, at most 10 s. Used by the persistence actor
// (saves) and the registry (listing the store at start).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace lh {

/// The wait before retry number `failures` (1, 2, ...).
inline std::chrono::milliseconds retry_backoff(uint32_t failures) {
  auto shift = std::min<uint32_t>(failures > 0 ? failures - 1 : 0, 7);
  return std::min(std::chrono::milliseconds{100 << shift},
                  std::chrono::milliseconds{10'000});
}

} // namespace lh
