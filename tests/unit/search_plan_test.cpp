#include "index/search_plan.hpp"

#include <gtest/gtest.h>

TEST(search_plan, scans_exactly_when_few_items_match) {
  // 60k items, beam 64, m 16: the shapes of bench/filter.
  EXPECT_EQ(lh::plan_search(60, 60000, 64, 16), lh::search_plan::exact_scan);
  EXPECT_EQ(lh::plan_search(600, 60000, 64, 16), lh::search_plan::exact_scan);
  EXPECT_EQ(lh::plan_search(6000, 60000, 64, 16),
            lh::search_plan::filtered_walk);
  EXPECT_EQ(lh::plan_search(30000, 60000, 64, 16),
            lh::search_plan::filtered_walk);
  EXPECT_EQ(lh::plan_search(60000, 60000, 64, 16),
            lh::search_plan::filtered_walk);
}

TEST(search_plan, a_small_index_is_always_scanned) {
  // Fewer items than an unfiltered walk would visit: scanning is cheaper.
  EXPECT_EQ(lh::plan_search(500, 1000, 64, 16), lh::search_plan::exact_scan);
  EXPECT_EQ(lh::plan_search(0, 1000, 64, 16), lh::search_plan::exact_scan);
}

TEST(search_plan, a_selective_filter_is_scanned_even_on_a_huge_index) {
  // 1% of 10M items: a long scan, but the walk would miss too many.
  EXPECT_EQ(lh::plan_search(100000, 10000000, 64, 16),
            lh::search_plan::exact_scan);
  EXPECT_EQ(lh::plan_search(1000000, 10000000, 64, 16),
            lh::search_plan::filtered_walk);
}

TEST(search_plan, a_wider_beam_moves_the_switch_up) {
  auto at = [](size_t beam) {
    size_t matching = 1;
    while (lh::plan_search(matching, 10000, beam, 16)
           == lh::search_plan::exact_scan)
      matching *= 2;
    return matching;
  };
  EXPECT_LT(at(16), at(256));
}
