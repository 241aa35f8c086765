#include "index/wal_replay.hpp"

#include <gtest/gtest.h>

#include "index/lhv1.hpp"
#include "index/wal_record.hpp"

namespace {

using namespace lh;

const index_params params{"docs", 2, metric::l2, 8, 50, 16};

add_batch items(std::vector<std::string> ids) {
  add_batch b;
  b.dimension = 2;
  for (size_t i = 0; i < ids.size(); ++i) {
    b.vectors.push_back(static_cast<float>(ids[i][0]));
    b.vectors.push_back(static_cast<float>(i));
    b.metadata.push_back("");
  }
  b.ids = std::move(ids);
  return b;
}

stored_record create(uint64_t s) { return {s, wal::encode_create(s, params)}; }
stored_record add(uint64_t s, std::vector<std::string> ids) {
  return {s, wal::encode_add(s, items(std::move(ids)))};
}
stored_record remove(uint64_t s, std::vector<std::string> ids) {
  return {s, wal::encode_remove(s, ids)};
}
stored_record drop(uint64_t s) { return {s, wal::encode_drop(s)}; }

// A snapshot of an index holding `ids`, taken at log sequence `at`.
std::shared_ptr<vector_index> snapshot(std::vector<std::string> ids,
                                       uint64_t at) {
  vector_index idx{params};
  EXPECT_TRUE(idx.add(items(std::move(ids)), nullptr));
  idx.begin_record(at);
  idx.end_record(at);
  auto blob = lhv1::encode_index(idx);
  auto back = lhv1::restore("docs", *blob);
  EXPECT_TRUE(back) << back.error().message;
  EXPECT_EQ((*back)->log().applied, at); // the envelope kept it
  return *back;
}

size_t count(const replay_outcome& r) { return r.index->count(nullptr); }

} // namespace

TEST(wal_replay, a_log_alone_rebuilds_the_index_in_order) {
  auto r = replay_log("docs", nullptr,
                      {add(2, {"a", "b"}), create(1), remove(3, {"a"}),
                       add(4, {"c", "a"})},
                      nullptr);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->index);
  EXPECT_EQ(count(*r), 3u);
  EXPECT_EQ(r->last_sequence, 4u);
  EXPECT_EQ(r->applied, 4u);
  EXPECT_EQ(r->index->log().applied, 4u);
}

TEST(wal_replay, records_the_snapshot_holds_are_skipped) {
  // Records 1..5 were not trimmed yet; the blob holds up to 5.
  auto r = replay_log("docs", snapshot({"a", "b"}, 5),
                      {create(1), add(5, {"zz"}), remove(6, {"a"}),
                       add(7, {"c"})},
                      nullptr);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->applied, 2u);
  EXPECT_EQ(count(*r), 2u); // b, c
  EXPECT_EQ(r->last_sequence, 7u);
}

TEST(wal_replay, the_last_drop_wins_over_everything_before_it) {
  // The blob (sequence 3) landed late, after the drop at 4.
  auto gone = replay_log("docs", snapshot({"a"}, 3), {drop(4)}, nullptr);
  ASSERT_TRUE(gone) << gone.error().message;
  EXPECT_FALSE(gone->index);
  EXPECT_EQ(gone->last_sequence, 4u); // a new index of the name follows it
  // A new index after the tombstone.
  auto again = replay_log("docs", snapshot({"a"}, 3),
                          {drop(4), create(5), add(6, {"n"})}, nullptr);
  ASSERT_TRUE(again) << again.error().message;
  ASSERT_TRUE(again->index);
  EXPECT_EQ(count(*again), 1u);
  // The new index's own blob (sequence 6) is newer than the drop: used.
  auto newer = replay_log("docs", snapshot({"n", "m"}, 6),
                          {drop(4), add(7, {"o"})}, nullptr);
  ASSERT_TRUE(newer) << newer.error().message;
  EXPECT_EQ(count(*newer), 3u);
}

TEST(wal_replay, a_torn_last_record_ends_the_replay_and_is_reported) {
  auto torn = add(3, {"b"});
  torn.bytes.resize(torn.bytes.size() - 5);
  auto r = replay_log("docs", nullptr, {create(1), add(2, {"a"}), torn},
                      nullptr);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(count(*r), 1u);
  EXPECT_EQ(r->last_sequence, 2u); // the torn record's key is written again
  EXPECT_NE(r->torn_tail.find("log record 3"), std::string::npos)
    << r->torn_tail;
}

TEST(wal_replay, damage_in_the_middle_names_the_index_and_sequence) {
  auto bad = add(2, {"a"});
  bad.bytes[bad.bytes.size() / 2] ^= 1;
  auto r = replay_log("docs", nullptr, {create(1), bad, add(3, {"b"})},
                      nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ec::corrupt_data);
  EXPECT_NE(r.error().message.find("index 'docs': log record 2"),
            std::string::npos)
    << r.error().message;
}

TEST(wal_replay, a_gap_or_a_log_without_its_start_is_an_error) {
  auto gap = replay_log("docs", snapshot({"a"}, 2), {add(4, {"b"})}, nullptr);
  ASSERT_FALSE(gap);
  EXPECT_NE(gap.error().message.find("record 3 before it is missing"),
            std::string::npos)
    << gap.error().message;
  auto headless = replay_log("docs", nullptr, {add(7, {"b"})}, nullptr);
  ASSERT_FALSE(headless);
  EXPECT_NE(headless.error().message.find("no snapshot"), std::string::npos);
  // Nothing at all: no index, nothing to follow.
  auto empty = replay_log("docs", nullptr, {}, nullptr);
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->index);
  EXPECT_EQ(empty->last_sequence, 0u);
}
