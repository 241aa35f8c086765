#include "index/group_commit.hpp"

#include <gtest/gtest.h>

namespace {

lh::group_commit::entry record(const std::string& index, uint64_t sequence,
                               uint64_t token, size_t bytes = 10) {
  return {index, sequence, std::make_shared<const std::string>(bytes, 'x'),
          token};
}

std::vector<uint64_t> tokens(const std::vector<lh::group_commit::entry>& g) {
  std::vector<uint64_t> out;
  for (auto& e : g)
    out.push_back(e.token);
  return out;
}

} // namespace

TEST(group_commit, records_queued_during_a_write_go_as_one_group) {
  lh::group_commit c;
  ASSERT_TRUE(c.offer(record("a", 1, 100)));
  auto first = c.next_group();
  ASSERT_TRUE(first);
  EXPECT_EQ(tokens(*first), std::vector<uint64_t>{100});
  // While it is written, more come: no second group until it is done.
  for (uint64_t i = 0; i < 5; ++i)
    ASSERT_TRUE(c.offer(record(i % 2 ? "a" : "b", 2 + i / 2, 200 + i)));
  EXPECT_FALSE(c.next_group());
  EXPECT_TRUE(c.finished(true).empty());
  auto second = c.next_group();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->size(), 5u);
  EXPECT_EQ(c.queued(), 0u);
}

// The log writer frees a group's bytes once they are copied into the
// write: the group in flight must not keep a reference of its own.
TEST(group_commit, a_group_holds_the_only_references_to_its_bytes) {
  lh::group_commit c;
  ASSERT_TRUE(c.offer(record("a", 1, 100)));
  ASSERT_TRUE(c.offer(record("a", 2, 101)));
  auto group = c.next_group();
  ASSERT_TRUE(group);
  for (auto& e : *group)
    EXPECT_EQ(e.bytes.use_count(), 1);
  // Freed while in flight, the group still finishes and orders.
  for (auto& e : *group)
    e.bytes.reset();
  EXPECT_TRUE(c.finished(true).empty());
  EXPECT_TRUE(c.offer(record("a", 3, 102)));
}

TEST(group_commit, a_group_stops_growing_at_its_byte_limit) {
  lh::group_commit c;
  auto big = lh::group_commit::max_group_bytes / 2;
  for (uint64_t i = 1; i <= 3; ++i)
    ASSERT_TRUE(c.offer(record("a", i, i, big)));
  EXPECT_EQ(c.next_group()->size(), 2u);
  c.finished(true);
  EXPECT_EQ(c.next_group()->size(), 1u);
}

TEST(group_commit, records_out_of_order_are_refused) {
  lh::group_commit c;
  c.expect("a", 5);
  EXPECT_FALSE(c.offer(record("a", 4, 1)));
  EXPECT_FALSE(c.offer(record("a", 6, 1)));
  EXPECT_TRUE(c.offer(record("a", 5, 1)));
  EXPECT_FALSE(c.offer(record("a", 5, 2))); // a repeat
  EXPECT_TRUE(c.offer(record("a", 6, 2)));
}

TEST(group_commit, a_failed_group_fails_the_later_records_of_its_indexes) {
  lh::group_commit c;
  ASSERT_TRUE(c.offer(record("a", 1, 1)));
  ASSERT_TRUE(c.offer(record("b", 1, 2)));
  c.next_group();
  ASSERT_TRUE(c.offer(record("a", 2, 3)));
  ASSERT_TRUE(c.offer(record("c", 1, 4)));
  ASSERT_TRUE(c.offer(record("b", 2, 5)));
  // a and b would have gaps: their queued records fail; c's stays.
  EXPECT_EQ(c.finished(false), (std::vector<uint64_t>{3, 5}));
  EXPECT_EQ(tokens(*c.next_group()), std::vector<uint64_t>{4});
  // a and b expect their first failed sequence again; a late record of
  // the old run is refused.
  EXPECT_FALSE(c.offer(record("a", 3, 6)));
  EXPECT_TRUE(c.offer(record("a", 1, 7)));
}
