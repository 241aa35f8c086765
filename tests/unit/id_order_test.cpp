// id_order against std::map, the structure it replaced: random batches of
// inserts and erases, then every lookup and every scroll position compared.
#include "index/id_order.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace {

// Labels are positions in `ids`, as in vector_index: new ones are appended,
// erased ones keep their text until the erase has run, then are cleared.
struct model {
  std::vector<std::string> ids;
  lh::id_order order{ids};
  std::map<std::string, uint32_t> expected;

  void insert(const std::vector<std::string>& batch) {
    std::vector<uint32_t> labels;
    for (auto& id : batch) {
      labels.push_back(static_cast<uint32_t>(ids.size()));
      expected.emplace(id, labels.back());
      ids.push_back(id);
    }
    order.insert(std::move(labels));
  }
  void erase(const std::vector<std::string>& batch) {
    std::vector<bool> gone(ids.size(), false);
    for (auto& id : batch) {
      gone[expected.at(id)] = true;
      expected.erase(id);
    }
    order.erase_if([&](uint32_t label) { return gone[label]; });
    for (size_t label = 0; label < gone.size(); ++label)
      if (gone[label])
        ids[label].clear();
  }
  void check() const {
    ASSERT_EQ(order.size(), expected.size());
    size_t at = 0;
    for (auto& [id, label] : expected) {
      ASSERT_EQ(order.at(at), label) << "position " << at;
      ASSERT_EQ(order.find(id), label) << id;
      ASSERT_EQ(order.upper_bound(id), at + 1) << id;
      ++at;
    }
  }
};

} // namespace

TEST(id_order, matches_a_map_through_random_inserts_and_erases) {
  std::mt19937 rng{7};
  model m;
  size_t next_id = 0;
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> batch;
    auto n = std::uniform_int_distribution<size_t>{0, 40}(rng);
    for (size_t i = 0; i < n; ++i) // ids out of order: "k17", "k170", ...
      batch.push_back("k" + std::to_string(rng() % 100000) + "-"
                      + std::to_string(next_id++));
    m.insert(batch);
    std::vector<std::string> doomed;
    for (auto& [id, label] : m.expected)
      if (rng() % 16 == 0)
        doomed.push_back(id);
    m.erase(doomed);
    m.check();
    if (testing::Test::HasFatalFailure())
      return;
  }
  EXPECT_GT(m.expected.size(), 150u); // the order grew, not only churned
}

TEST(id_order, finds_nothing_that_is_not_there) {
  model m;
  EXPECT_FALSE(m.order.find("a"));
  EXPECT_EQ(m.order.upper_bound("a"), 0u);
  m.insert({"b", "d"});
  EXPECT_FALSE(m.order.find("a"));
  EXPECT_FALSE(m.order.find("c"));
  EXPECT_FALSE(m.order.find("e"));
  EXPECT_FALSE(m.order.find("")); // a deleted slot's empty id is no id
  EXPECT_EQ(m.order.upper_bound("a"), 0u);
  EXPECT_EQ(m.order.upper_bound("c"), 1u);
  EXPECT_EQ(m.order.upper_bound("z"), 2u);
}

TEST(id_order, assign_reports_an_id_held_by_two_labels) {
  std::vector<std::string> ids{"x", "y", "x"};
  lh::id_order order{ids};
  auto twice = order.assign({0, 1, 2});
  ASSERT_TRUE(twice);
  EXPECT_EQ(*twice, "x");
  EXPECT_EQ(order.size(), 0u);
  EXPECT_FALSE(order.assign({0, 1}));
  EXPECT_EQ(order.find("y"), 1u);
}
