#include "config/allocator.hpp"

#if defined(__GLIBC__)
#  include <malloc.h>
#endif

namespace lh {

bool map_large_buffers_apart() {
#if defined(__GLIBC__)
  // Setting the threshold also turns off glibc's dynamic raising of it.
  return mallopt(M_MMAP_THRESHOLD, static_cast<int>(own_mapping_bytes)) == 1;
#else
  return true;
#endif
}

} // namespace lh
