// Where a graph's memory lives: level 0 (vectors and their links) in huge
// pages, also for the part written before a grow moved it.
#include "index/hnsw_index.hpp"

#include <algorithm>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

// AnonHugePages of this process, in bytes.
size_t anon_huge_bytes() {
  std::ifstream rollup{"/proc/self/smaps_rollup"};
  std::string key;
  size_t kib = 0;
  while (rollup >> key) {
    if (key == "AnonHugePages:") {
      rollup >> kib;
      return kib << 10;
    }
    rollup.ignore(1 << 10, '\n');
  }
  return 0;
}

bool huge_pages_only_when_advised() {
  std::ifstream mode{"/sys/kernel/mm/transparent_hugepage/enabled"};
  std::string text;
  std::getline(mode, text);
  return text.find("[madvise]") != std::string::npos;
}

} // namespace

// Grown the way vector_index grows it (doubling from 16), a 20 MiB level
// 0 ends up almost all in huge pages: the grows' new room is advised and
// the part already written is collapsed. Without the collapse only the
// room added by the last grow (half) is; without either, none is.
TEST(graph_memory, level_zero_lives_in_huge_pages_after_growing) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "the sanitizer's allocator maps memory its own way";
#endif
  if (!huge_pages_only_when_advised())
    GTEST_SKIP() << "transparent huge pages are not in madvise mode here";
  constexpr uint32_t dim = 512;
  constexpr size_t count = 8192;
  lh::hnsw_index graph{{dim, lh::metric::l2, 4, 10, 1}, 0};
  std::mt19937 rng{7};
  std::normal_distribution<float> d{0, 1};
  std::vector<float> v(dim);
  auto before = anon_huge_bytes();
  for (size_t label = 0; label < count; ++label) {
    if (label == graph.capacity()) {
      ASSERT_TRUE(graph.reserve(std::max<size_t>(16, 2 * label)));
    }
    for (auto& x : v)
      x = d(rng);
    ASSERT_TRUE(graph.add(label, v.data()));
  }
  // 8192 vectors of 2 KiB: 16 MiB of floats alone, more with links.
  size_t level0_floats = count * dim * sizeof(float);
  EXPECT_GE(anon_huge_bytes() - before, level0_floats * 3 / 4)
    << "of " << level0_floats << " bytes";
}
