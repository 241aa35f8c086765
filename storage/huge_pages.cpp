#include "storage/huge_pages.hpp"

#include <cstdint>
#include <sys/mman.h>

namespace lh {

namespace {

#ifndef MADV_COLLAPSE
constexpr int MADV_COLLAPSE = 25; // Linux 6.1; older headers lack it
#endif

// madvise(advice) over the whole 2 MiB pages inside [data, data + bytes).
void advise_whole_huge_pages(const void* data, size_t bytes, int advice) {
  constexpr uintptr_t huge = uintptr_t{2} << 20;
  if (bytes < 2 * huge)
    return;
  auto begin = (reinterpret_cast<uintptr_t>(data) + huge - 1) & ~(huge - 1);
  auto end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(huge - 1);
  if (end > begin)
    (void)::madvise(reinterpret_cast<void*>(begin), end - begin, advice);
}

} // namespace

void advise_huge_pages(const void* data, size_t bytes) {
  advise_whole_huge_pages(data, bytes, MADV_HUGEPAGE);
}

void collapse_huge_pages(const void* data, size_t bytes) {
  advise_whole_huge_pages(data, bytes, MADV_COLLAPSE);
}

} // namespace lh
