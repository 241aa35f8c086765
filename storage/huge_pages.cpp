#include "storage/huge_pages.hpp"

#include <cstdint>
#include <sys/mman.h>

namespace lh {

void advise_huge_pages(const void* data, size_t bytes) {
  constexpr uintptr_t huge = uintptr_t{2} << 20;
  if (bytes < 2 * huge)
    return;
  auto begin = (reinterpret_cast<uintptr_t>(data) + huge - 1) & ~(huge - 1);
  auto end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(huge - 1);
  if (end > begin)
    (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

} // namespace lh
