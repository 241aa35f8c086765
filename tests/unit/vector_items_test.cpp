// vector_index items: filtered search against exact filtered ground truth
// (both plans), get/count/scroll, deletes with slot reuse, and deletes
// surviving an LHV1 round trip.
#include <algorithm>
#include <atomic>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "http/filter_json.hpp"
#include "index/lhv1.hpp"
#include "index/vector_index.hpp"
#include "index/worker_pool.hpp"

namespace {

constexpr uint32_t dim = 16;

lh::index_params params() {
  return {"items", dim, lh::metric::l2, 16, 100, 64};
}

std::string id_of(size_t i) {
  std::string id = "p";
  id += std::to_string(i);
  return id;
}

// The ids of items `first`..`first+n-1`.
std::vector<std::string> ids_from(size_t first, size_t n) {
  std::vector<std::string> out;
  for (size_t i = first; i < first + n; ++i)
    out.push_back(id_of(i));
  return out;
}

// Items `first`..`first+n-1` with metadata {"g": i%10, "b": i%100,
// "even": i%2==0} and random vectors (seeded by i: repeatable).
lh::add_batch items(size_t first, size_t n) {
  lh::add_batch b;
  b.dimension = dim;
  for (size_t i = first; i < first + n; ++i) {
    std::mt19937 rng{static_cast<unsigned>(i)};
    std::normal_distribution<float> d{0, 1};
    b.ids.push_back(id_of(i));
    b.metadata.push_back("{\"g\":" + std::to_string(i % 10)
                         + ",\"b\":" + std::to_string(i % 100) + ",\"even\":"
                         + (i % 2 == 0 ? "true" : "false") + "}");
    for (uint32_t j = 0; j < dim; ++j)
      b.vectors.push_back(d(rng));
  }
  return b;
}

std::shared_ptr<const lh::filter> where(std::string_view text) {
  auto f = lh::json::parse_filter(text);
  EXPECT_TRUE(f) << text;
  return std::make_shared<lh::filter>(f ? *f : lh::filter{});
}

std::vector<float> query_vector(unsigned seed) {
  std::mt19937 rng{seed + 1000000};
  std::normal_distribution<float> d{0, 1};
  std::vector<float> q(dim);
  for (auto& x : q)
    x = d(rng);
  return q;
}

std::vector<std::string> ids_of(const std::vector<lh::search_hit>& hits) {
  std::vector<std::string> out;
  for (auto& h : hits)
    out.push_back(h.id);
  return out;
}

// recall@k of a plan over 50 queries, against the exact plan's answers
// (which are checked against a brute-force scan in another test).
double recall(const lh::vector_index& idx, std::shared_ptr<const lh::filter> f,
              lh::search_plan plan, size_t k = 10) {
  size_t hit = 0, total = 0;
  for (unsigned s = 0; s < 50; ++s) {
    auto q = query_vector(s);
    lh::search_query exact{q, k, std::nullopt, f};
    exact.plan = lh::search_plan::exact_scan;
    auto want = idx.search(exact);
    auto query = exact;
    query.plan = plan;
    auto got = idx.search(query);
    EXPECT_TRUE(want && got);
    auto truth = ids_of(*want);
    for (auto& id : ids_of(*got))
      hit += std::find(truth.begin(), truth.end(), id) != truth.end();
    total += truth.size();
  }
  return total ? static_cast<double>(hit) / static_cast<double>(total) : 1;
}

// Every id a full scroll returns, page by page (at most 1000 pages), each
// page's next checked to be its last id.
std::vector<std::string> scroll_all(const lh::vector_index& idx,
                                    lh::scroll_request r) {
  std::vector<std::string> seen;
  for (int pages = 0; pages < 1000; ++pages) {
    auto page = idx.scroll(r);
    EXPECT_TRUE(page);
    if (!page)
      break;
    for (auto& item : page->items)
      seen.push_back(item.id);
    if (!page->next)
      break;
    EXPECT_EQ(*page->next, page->items.back().id);
    r.after = page->next;
  }
  return seen;
}

float l2(const std::vector<float>& a, const float* b) {
  double sum = 0;
  for (uint32_t j = 0; j < dim; ++j)
    sum += (double{a[j]} - b[j]) * (double{a[j]} - b[j]);
  return static_cast<float>(std::sqrt(sum));
}

} // namespace

TEST(vector_items, exact_plan_is_the_brute_force_filtered_top_k) {
  lh::vector_index idx{params()};
  auto all = items(0, 3000);
  ASSERT_TRUE(idx.add(all, nullptr));
  auto q = query_vector(1);
  lh::search_query query{
    q, 10, std::nullopt,
    where(R"({"must":[{"key":"g","match":{"value":3}}]})")};
  query.plan = lh::search_plan::exact_scan;
  auto hits = idx.search(query);
  ASSERT_TRUE(hits);
  std::vector<std::pair<float, std::string>> truth;
  for (size_t i = 3; i < 3000; i += 10)
    truth.emplace_back(l2(q, all.vectors.data() + i * dim), id_of(i));
  std::sort(truth.begin(), truth.end());
  ASSERT_EQ(hits->size(), 10u);
  for (size_t r = 0; r < 10; ++r) {
    EXPECT_EQ((*hits)[r].id, truth[r].second);
    EXPECT_NEAR((*hits)[r].distance, truth[r].first, 1e-4);
  }
}

TEST(vector_items, filtered_walk_finds_the_filtered_neighbours) {
  lh::vector_index idx{params()};
  ASSERT_TRUE(idx.add(items(0, 5000), nullptr));
  auto half = where(R"({"must":[{"key":"even","match":{"value":true}}]})");
  auto tenth = where(R"({"must":[{"key":"g","match":{"value":7}}]})");
  auto range = where(R"({"must":[{"key":"b","range":{"gte":10,"lt":40}}]})");
  EXPECT_GE(recall(idx, half, lh::search_plan::filtered_walk), 0.95);
  EXPECT_GE(recall(idx, tenth, lh::search_plan::filtered_walk), 0.95);
  EXPECT_GE(recall(idx, range, lh::search_plan::filtered_walk), 0.95);
  // The planner's own choice is as good.
  auto planned = [&](auto f) {
    auto v = query_vector(3); // the query's span must outlive it
    lh::search_query q{v, 10, std::nullopt, f};
    return idx.search(q);
  };
  auto one = where(R"({"must":[{"key":"b","match":{"value":42}}]})");
  EXPECT_EQ(idx.plan_for(*one, 64), lh::search_plan::exact_scan);
  auto most = where(R"({"must_not":[{"key":"g","match":{"value":0}}]})");
  EXPECT_EQ(idx.plan_for(*most, 64), lh::search_plan::filtered_walk);
  auto hits = planned(one);
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits->size(), 10u);
  for (auto& h : *hits)
    EXPECT_NE(h.metadata.find("\"b\":42"), std::string::npos) << h.metadata;
}

TEST(vector_items, fewer_matches_than_k_returns_all_of_them) {
  lh::vector_index idx{params()};
  ASSERT_TRUE(idx.add(items(0, 2000), nullptr));
  auto three = where(R"({"must":[{"has_id":["p5","p17","p1999","nope"]}]})");
  for (auto plan :
       {lh::search_plan::exact_scan, lh::search_plan::filtered_walk}) {
    auto v = query_vector(0);
    lh::search_query q{v, 10, std::nullopt, three};
    q.plan = plan;
    auto hits = idx.search(q);
    ASSERT_TRUE(hits);
    auto got = ids_of(*hits);
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, (std::vector<std::string>{"p17", "p1999", "p5"}))
      << to_string(plan);
  }
  auto v = query_vector(0);
  lh::search_query none{
    v, 10, std::nullopt,
    where(R"({"must":[{"key":"zz","match":{"value":1}}]})")};
  EXPECT_TRUE(idx.search(none)->empty());
}

TEST(vector_items, search_returns_metadata_and_vectors_only_when_asked) {
  lh::vector_index idx{params()};
  auto b = items(0, 50);
  ASSERT_TRUE(idx.add(b, nullptr));
  lh::search_query q{std::span{b.vectors}.first(dim), 1, std::nullopt, {}};
  q.with_metadata = false;
  q.with_vector = true;
  auto hits = idx.search(q);
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].id, "p0");
  EXPECT_TRUE((*hits)[0].metadata.empty());
  EXPECT_EQ((*hits)[0].vector,
            std::vector<float>(b.vectors.begin(), b.vectors.begin() + dim));
}

TEST(vector_items, get_answers_in_the_order_asked_and_lists_missing_ids) {
  lh::vector_index idx{params()};
  auto b = items(0, 20);
  ASSERT_TRUE(idx.add(b, nullptr));
  std::vector<std::string> ask{"p7", "x", "p3", "p7"};
  auto got = idx.get(ask, true);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->items.size(), 3u);
  EXPECT_EQ(got->items[0].id, "p7");
  EXPECT_EQ(got->items[1].id, "p3");
  EXPECT_EQ(got->items[0].metadata, b.metadata[7]);
  EXPECT_EQ(got->items[1].vector,
            std::vector<float>(b.vectors.begin() + 3 * dim,
                               b.vectors.begin() + 4 * dim));
  EXPECT_EQ(got->missing, (std::vector<std::string>{"x"}));
  EXPECT_FALSE(idx.get(std::vector<std::string>{}, false));
  EXPECT_FALSE(idx.get(std::vector<std::string>{""}, false));
  EXPECT_FALSE(idx.get(std::vector<std::string>(1001, "p1"), false));
}

TEST(vector_items, count_and_scroll_see_every_matching_item_once) {
  lh::vector_index idx{params()};
  ASSERT_TRUE(idx.add(items(0, 1234), nullptr));
  EXPECT_EQ(idx.count(nullptr), 1234u);
  auto g3 = where(R"({"must":[{"key":"g","match":{"value":3}}]})");
  EXPECT_EQ(idx.count(g3.get()), 124u);
  for (auto f : {std::shared_ptr<const lh::filter>{}, g3}) {
    auto seen = scroll_all(idx,
                           lh::scroll_request{100, std::nullopt, f, false});
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(),
              seen.size());
    EXPECT_EQ(seen.size(), f ? 124u : 1234u);
  }
  EXPECT_FALSE(idx.scroll(lh::scroll_request{0, {}, {}, false}));
  EXPECT_FALSE(idx.scroll(lh::scroll_request{1001, {}, {}, false}));
}

TEST(vector_items, scroll_beside_adds_returns_no_item_twice) {
  lh::vector_index idx{params()};
  ASSERT_TRUE(idx.add(items(0, 2000), nullptr));
  std::atomic<bool> done{false};
  std::thread writer{[&] {
    for (size_t first = 2000; first < 6000 && !done; first += 200)
      ASSERT_TRUE(idx.add(items(first, 200), nullptr));
  }};
  auto seen = scroll_all(idx, lh::scroll_request{50, std::nullopt, {}, false});
  done = true;
  writer.join();
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size());
  for (size_t i = 0; i < 2000; ++i) // present before the scroll began
    EXPECT_TRUE(unique.contains(id_of(i))) << id_of(i);
}

TEST(vector_items, deleted_items_vanish_and_their_slots_are_reused) {
  lh::vector_index idx{params()};
  ASSERT_TRUE(idx.add(items(0, 1000), nullptr));
  auto doomed = ids_from(0, 500);
  doomed.push_back("never-there");
  doomed.push_back(id_of(0)); // twice: counted once
  auto r = idx.remove(lh::delete_request{doomed, {}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->deleted, 500u);
  EXPECT_EQ(r->length, 500u);
  EXPECT_EQ(idx.info().deleted_slots, 500u);
  EXPECT_EQ(idx.count(nullptr), 500u);
  EXPECT_EQ(idx.get(std::vector<std::string>{"p1"}, false)->missing.size(), 1u);
  auto even = where(R"({"must":[{"key":"even","match":{"value":true}}]})");
  EXPECT_EQ(idx.count(even.get()), 250u);
  for (unsigned s = 0; s < 20; ++s) {
    auto hits = idx.search(query_vector(s), 20, std::nullopt);
    for (auto& h : *hits)
      EXPECT_GE(std::stoul(h.id.substr(1)), 500u) << h.id;
  }
  // 500 new items fill the freed slots: the graph does not grow.
  ASSERT_TRUE(idx.add(items(1000, 500), nullptr));
  EXPECT_EQ(idx.info().deleted_slots, 0u);
  EXPECT_EQ(idx.length(), 1000u);
  EXPECT_EQ(idx.count(even.get()), 500u);
  lh::index_info info = idx.info();
  EXPECT_EQ(info.length, 1000u);
  // Reused slots are re-linked: their items are found by their vectors.
  auto fresh = items(1000, 500);
  size_t found = 0;
  for (size_t i = 0; i < 500; ++i) {
    auto hits = idx.search(std::span{fresh.vectors}.subspan(i * dim, dim), 1,
                           std::nullopt);
    found += !hits->empty() && (*hits)[0].id == fresh.ids[i];
  }
  EXPECT_GE(found, 495u);
}

TEST(vector_items, delete_by_filter_and_refusals) {
  lh::vector_index idx{params()};
  ASSERT_TRUE(idx.add(items(0, 300), nullptr));
  auto r = idx.remove(lh::delete_request{
    {}, where(R"({"must":[{"key":"g","match":{"any":[1,2]}}]})")});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->deleted, 60u);
  EXPECT_EQ(idx.length(), 240u);
  auto g1 = where(R"({"must":[{"key":"g","match":{"value":1}}]})");
  EXPECT_EQ(idx.count(g1.get()), 0u);
  EXPECT_FALSE(idx.remove(lh::delete_request{{"p3"}, g1}));
  EXPECT_FALSE(idx.remove(lh::delete_request{{}, {}}));
  EXPECT_FALSE(idx.remove(lh::delete_request{{""}, {}}));
  EXPECT_EQ(idx.length(), 240u);
}

TEST(vector_items, deletes_survive_an_lhv1_round_trip) {
  lh::vector_index idx{params()};
  ASSERT_TRUE(idx.add(items(0, 400), nullptr));
  ASSERT_TRUE(idx.remove(lh::delete_request{{"p1", "p2", "p3"}, {}}));
  auto back = lh::lhv1::restore("items", lh::lhv1::encode_index(idx).value());
  ASSERT_TRUE(back) << back.error().message;
  auto& copy = **back;
  EXPECT_EQ(copy.length(), 397u);
  EXPECT_EQ(copy.info().deleted_slots, 3u);
  EXPECT_EQ(copy.get(std::vector<std::string>{"p1", "p4"}, false)->missing,
            (std::vector<std::string>{"p1"}));
  auto g2 = where(R"({"must":[{"key":"g","match":{"value":2}}]})");
  EXPECT_EQ(copy.count(g2.get()), 39u);
  // The restored index reuses the freed slots.
  ASSERT_TRUE(copy.add(items(400, 3), nullptr));
  EXPECT_EQ(copy.info().deleted_slots, 0u);
  EXPECT_EQ(copy.length(), 400u);
}

TEST(vector_items, a_save_between_chunks_that_reuse_slots_restores) {
  // Saves run while a batch that reuses freed slots goes in chunk by
  // chunk: every blob must load (an id on a slot still marked deleted
  // made one unloadable; the crash test found it).
  lh::vector_index idx{params()};
  ASSERT_TRUE(idx.add(items(0, 1200), nullptr));
  ASSERT_TRUE(idx.remove(lh::delete_request{ids_from(0, 1000), {}}));
  std::atomic<bool> done{false};
  std::thread adder{[&] {
    EXPECT_TRUE(idx.add(items(5000, 1000), nullptr));
    done = true;
  }};
  size_t saves = 0;
  while (!done || saves == 0) {
    auto back = lh::lhv1::restore("items", lh::lhv1::encode_index(idx).value());
    ++saves;
    if (!back) {
      ADD_FAILURE() << "save " << saves << ": " << back.error().message;
      break;
    }
  }
  adder.join();
  EXPECT_GT(saves, 1u);
}

TEST(vector_items, churn_keeps_the_graph_size_and_recall) {
  lh::worker_pool pool{2};
  lh::vector_index idx{params()};
  ASSERT_TRUE(idx.add(items(0, 2000), &pool));
  size_t next = 2000, oldest = 0, first_round_slots = 0;
  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(idx.add(items(next, 1000), &pool));
    next += 1000;
    std::vector<std::string> doomed;
    for (size_t i = 0; i < 1000; ++i)
      doomed.push_back(id_of(oldest++));
    ASSERT_TRUE(idx.remove(lh::delete_request{doomed, {}}));
    auto slots = idx.length() + idx.info().deleted_slots;
    if (round == 0)
      first_round_slots = slots;
    EXPECT_EQ(slots, first_round_slots) << "round " << round;
  }
  EXPECT_GE(recall(idx, {}, lh::search_plan::filtered_walk), 0.95);
  auto unfiltered_recall = [&] {
    size_t hit = 0;
    for (unsigned s = 0; s < 50; ++s) {
      auto q = query_vector(s);
      lh::search_query exact{q, 10, std::nullopt,
                             where(R"({"must_not":[{"has_id":["x"]}]})")};
      exact.plan = lh::search_plan::exact_scan;
      auto truth = ids_of(*idx.search(exact));
      for (auto& id : ids_of(*idx.search(q, 10, std::nullopt)))
        hit += std::find(truth.begin(), truth.end(), id) != truth.end();
    }
    return static_cast<double>(hit) / 500;
  };
  EXPECT_GE(unfiltered_recall(), 0.95);
}
