#include "config/allocator.hpp"

#include <fstream>
#include <memory>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

namespace {

size_t resident_bytes() {
  std::ifstream statm{"/proc/self/statm"};
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

std::unique_ptr<char[]> touched(size_t bytes) {
  return std::make_unique<char[]>(bytes); // zero-filled: every page touched
}

} // namespace

// glibc alone raises its mmap threshold to a freed buffer's size, after
// which buffers that size come from the heap, and those freed between
// live ones stay resident. With the threshold fixed they are unmapped.
TEST(allocator, freed_large_buffers_go_back_to_the_system) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "the sanitizer's allocator ignores mallopt";
#endif
  ASSERT_TRUE(lh::map_large_buffers_apart());
  constexpr size_t size = size_t{2} << 20; // above own_mapping_bytes
  static_assert(size >= lh::own_mapping_bytes);
  touched(size).reset(); // what raises glibc's own threshold
  auto before = resident_bytes();
  std::vector<std::unique_ptr<char[]>> buffers;
  for (int i = 0; i < 32; ++i)
    buffers.push_back(touched(size));
  for (size_t i = 0; i < buffers.size(); i += 2) // the odd ones stay
    buffers[i].reset();
  auto growth = resident_bytes() - before;
  // 16 live buffers are 32 MiB; 16 freed ones kept would make it 64.
  EXPECT_LT(growth, size_t{40} << 20) << growth;
}
