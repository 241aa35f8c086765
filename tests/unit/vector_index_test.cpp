#include "index/vector_index.hpp"

#include <algorithm>
#include <cmath>
#include <future>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "index/worker_pool.hpp"

namespace {

lh::index_params params(lh::metric space, uint32_t dim = 4) {
  return {"t", dim, space, 16, 100, 64};
}

lh::add_batch batch_of(uint32_t dim, std::vector<std::string> ids,
                       std::vector<float> vectors) {
  lh::add_batch b;
  b.dimension = dim;
  b.metadata.resize(ids.size());
  b.ids = std::move(ids);
  b.vectors = std::move(vectors);
  return b;
}

lh::add_batch random_batch(uint32_t dim, size_t n, unsigned seed,
                           const std::string& prefix = "v") {
  std::mt19937 rng{seed};
  std::normal_distribution<float> d{0, 1};
  lh::add_batch b;
  b.dimension = dim;
  for (size_t i = 0; i < n; ++i) {
    b.ids.push_back(prefix + std::to_string(i));
    b.metadata.push_back("{\"i\":" + std::to_string(i) + "}");
    for (uint32_t j = 0; j < dim; ++j)
      b.vectors.push_back(d(rng));
  }
  return b;
}

// What users expect, computed by brute force in double precision.
double expected_distance(lh::metric m, const float* a, const float* b,
                         size_t dim) {
  double dot = 0, na = 0, nb = 0, l2 = 0;
  for (size_t i = 0; i < dim; ++i) {
    dot += double{a[i]} * b[i];
    na += double{a[i]} * a[i];
    nb += double{b[i]} * b[i];
    l2 += (double{a[i]} - b[i]) * (double{a[i]} - b[i]);
  }
  switch (m) {
    case lh::metric::l2: return std::sqrt(l2);
    case lh::metric::cosine: return 1 - dot / std::sqrt(na * nb);
    case lh::metric::dot: return 1 - dot;
  }
  return 0;
}

// Built with += : GCC 12 warns falsely (-Wrestrict) on "v" + to_string(i).
std::string item_id(size_t i) {
  std::string id = "v";
  id += std::to_string(i);
  return id;
}

std::string refusal(const lh::expected<void>& r) {
  EXPECT_FALSE(r);
  return r ? std::string{} : r.error().message;
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST(validate_params, refuses_each_bad_field) {
  auto p = params(lh::metric::l2);
  EXPECT_TRUE(lh::validate_params(p));
  for (auto name : {"", "a b", "a/b", "..", ".", "x\xc3\xa9"}) {
    auto q = p;
    q.name = name;
    EXPECT_FALSE(lh::validate_params(q)) << name;
  }
  auto q = p;
  q.name = std::string(129, 'a');
  EXPECT_FALSE(lh::validate_params(q));
  q.name = std::string(128, 'a');
  EXPECT_TRUE(lh::validate_params(q));
  q = p, q.dimension = 0;
  EXPECT_TRUE(has(refusal(lh::validate_params(q)), "dimension 0"));
  q = p, q.dimension = 4097;
  EXPECT_FALSE(lh::validate_params(q));
  q = p, q.m = 3;
  EXPECT_TRUE(has(refusal(lh::validate_params(q)), "m 3"));
  q = p, q.m = 65;
  EXPECT_FALSE(lh::validate_params(q));
  q = p, q.ef_construction = 5000;
  EXPECT_FALSE(lh::validate_params(q));
  q = p, q.ef_search = 0;
  EXPECT_FALSE(lh::validate_params(q));
}

// Values are summed eight at a time: a bad one is named wherever it sits,
// in the blocks of eight or in the tail, and a query's too.
TEST(validate_batch, names_the_value_that_is_not_finite_at_any_position) {
  auto p = params(lh::metric::l2, 21);
  for (uint32_t at : {0u, 3u, 13u, 16u, 20u})
    for (float bad : {NAN, INFINITY, -INFINITY}) {
      std::vector<float> v(21, 0.5f);
      v[at] = bad;
      auto msg = refusal(lh::validate_query(p, v));
      EXPECT_TRUE(has(msg, "value " + std::to_string(at) + " is not finite"))
        << msg;
    }
  EXPECT_TRUE(lh::validate_query(p, std::vector<float>(21, 6e17f)));
  EXPECT_TRUE(has(refusal(lh::validate_query(p, std::vector<float>(21, 1e18f))),
                  "squared norm"));
}

TEST(validate_batch, refuses_each_bad_item_and_names_its_position) {
  auto p = params(lh::metric::cosine, 2);
  auto good = batch_of(2, {"a", "b"}, {1, 0, 0, 1});
  EXPECT_TRUE(lh::validate_batch(p, good));
  auto b = good;
  b.ids[1] = "";
  EXPECT_TRUE(has(refusal(lh::validate_batch(p, b)), "item 1: id is empty"));
  b = good;
  b.ids[1] = std::string(257, 'x');
  EXPECT_TRUE(has(refusal(lh::validate_batch(p, b)), "item 1: id is 257"));
  b = good;
  b.ids[1] = "a";
  EXPECT_TRUE(has(refusal(lh::validate_batch(p, b)), "appears twice"));
  b = good;
  b.vectors[3] = NAN;
  EXPECT_TRUE(has(refusal(lh::validate_batch(p, b)), "item 1: value 1"));
  b = good;
  b.vectors[0] = INFINITY;
  EXPECT_TRUE(has(refusal(lh::validate_batch(p, b)), "item 0: value 0"));
  b = good;
  b.vectors[2] = 0, b.vectors[3] = 0;
  EXPECT_TRUE(has(refusal(lh::validate_batch(p, b)), "zero norm"));
  EXPECT_TRUE(lh::validate_batch(params(lh::metric::l2, 2), b));
  b = good;
  b.metadata[0] = "{\"x\":\"" + std::string(64 * 1024, 'y') + "\"}";
  EXPECT_TRUE(has(refusal(lh::validate_batch(p, b)), "item 0: metadata"));
  b = good;
  b.dimension = 3;
  EXPECT_FALSE(lh::validate_batch(p, b));
}

TEST(vector_index, empty_index_answers_no_results) {
  lh::vector_index idx{params(lh::metric::l2)};
  auto hits = idx.search(std::vector<float>{1, 2, 3, 4}, 5, std::nullopt);
  ASSERT_TRUE(hits);
  EXPECT_TRUE(hits->empty());
}

TEST(vector_index, distances_match_brute_force_for_every_metric) {
  for (auto m : {lh::metric::l2, lh::metric::cosine, lh::metric::dot}) {
    SCOPED_TRACE(std::string{lh::to_string(m)});
    const uint32_t dim = 8;
    lh::vector_index idx{params(m, dim)};
    auto b = random_batch(dim, 200, 1);
    auto vectors = b.vectors;
    ASSERT_TRUE(idx.add(b, nullptr));
    auto queries = random_batch(dim, 20, 2);
    for (size_t q = 0; q < 20; ++q) {
      std::span<const float> query{queries.vectors.data() + q * dim, dim};
      // ef = n makes HNSW exact on 200 items.
      auto hits = idx.search(query, 10, 200);
      ASSERT_TRUE(hits);
      ASSERT_EQ(hits->size(), 10u);
      std::vector<std::pair<double, size_t>> exact;
      for (size_t i = 0; i < 200; ++i)
        exact.emplace_back(
          expected_distance(m, query.data(), vectors.data() + i * dim, dim), i);
      std::sort(exact.begin(), exact.end());
      for (size_t r = 0; r < 10; ++r) {
        EXPECT_EQ((*hits)[r].id, item_id(exact[r].second));
        EXPECT_NEAR((*hits)[r].distance, exact[r].first, 1e-4);
      }
    }
  }
}

TEST(vector_index, cosine_distance_of_same_direction_is_zero) {
  lh::vector_index idx{params(lh::metric::cosine, 3)};
  ASSERT_TRUE(idx.add(batch_of(3, {"a"}, {1, 2, 3}), nullptr));
  auto hits = idx.search(std::vector<float>{2, 4, 6}, 1, std::nullopt);
  ASSERT_TRUE(hits);
  EXPECT_NEAR((*hits)[0].distance, 0, 1e-6);
}

TEST(vector_index, vectors_whose_distances_would_overflow_are_refused) {
  // Issue 13: these passed validation and then searched as -nan or inf.
  auto cosine = params(lh::metric::cosine, 3);
  auto l2 = params(lh::metric::l2, 3);
  auto dot = params(lh::metric::dot, 3);
  auto refused = [](const lh::index_params& p, std::vector<float> v) {
    return refusal(lh::validate_batch(p, batch_of(3, {"x"}, v)));
  };
  EXPECT_TRUE(has(refused(cosine, {1e-45f, 0, 0}), "item 0: vector's norm"));
  EXPECT_TRUE(has(refused(l2, {3e38f, 3e38f, 3e38f}), "would overflow"));
  EXPECT_TRUE(has(refused(dot, {-3e19f, 0, 0}), "would overflow"));
  EXPECT_TRUE(
    has(refusal(lh::validate_query(l2, std::vector<float>{3e38f, 0, 0})),
        "query: "));
  // Small and large vectors inside the bounds search to finite distances.
  lh::vector_index tiny{cosine};
  ASSERT_TRUE(
    tiny.add(batch_of(3, {"a", "b"}, {1e-30f, 0, 0, 0, 1e-30f, 0}), nullptr));
  auto hits = tiny.search(std::vector<float>{2e-30f, 0, 0}, 2, std::nullopt);
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].id, "a");
  EXPECT_NEAR((*hits)[0].distance, 0, 1e-6);
  EXPECT_NEAR((*hits)[1].distance, 1, 1e-6);
  lh::vector_index big{l2};
  ASSERT_TRUE(
    big.add(batch_of(3, {"a", "b"}, {1e18f, 0, 0, -1e18f, 0, 0}), nullptr));
  hits = big.search(std::vector<float>{1e18f, 1e18f, 0}, 2, std::nullopt);
  ASSERT_TRUE(hits);
  for (auto& h : *hits)
    EXPECT_TRUE(std::isfinite(h.distance)) << h.id;
}

TEST(vector_index, upsert_replaces_vector_and_metadata) {
  lh::vector_index idx{params(lh::metric::l2, 2)};
  auto b = batch_of(2, {"a", "b"}, {0, 0, 10, 10});
  b.metadata[0] = R"({"v":1})";
  ASSERT_TRUE(idx.add(b, nullptr));
  auto u = batch_of(2, {"a"}, {20, 20});
  u.metadata[0] = R"({"v":2})";
  auto r = idx.add(u, nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->added, 1u);
  EXPECT_EQ(r->length, 2u);
  auto hits = idx.search(std::vector<float>{20, 20}, 1, std::nullopt);
  EXPECT_EQ((*hits)[0].id, "a");
  EXPECT_EQ((*hits)[0].metadata, R"({"v":2})");
  EXPECT_NEAR((*hits)[0].distance, 0, 1e-6);
}

TEST(vector_index, a_bad_batch_changes_nothing) {
  lh::vector_index idx{params(lh::metric::cosine, 2)};
  ASSERT_TRUE(idx.add(batch_of(2, {"a"}, {1, 0}), nullptr));
  auto bad = batch_of(2, {"b", "c", "d"}, {0, 1, 0, 0, 1, 1});
  auto r = idx.add(bad, nullptr);
  ASSERT_FALSE(r);
  EXPECT_TRUE(has(r.error().message, "item 1"));
  EXPECT_EQ(idx.length(), 1u);
  auto hits = idx.search(std::vector<float>{0, 1}, 10, std::nullopt);
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].id, "a");
}

TEST(vector_index, refuses_bad_queries) {
  lh::vector_index idx{params(lh::metric::cosine, 2)};
  EXPECT_FALSE(idx.search(std::vector<float>{1}, 1, std::nullopt));
  EXPECT_FALSE(idx.search(std::vector<float>{0, 0}, 1, std::nullopt));
  EXPECT_FALSE(idx.search(std::vector<float>{NAN, 1}, 1, std::nullopt));
  EXPECT_FALSE(idx.search(std::vector<float>{1, 1}, 0, std::nullopt));
  EXPECT_FALSE(idx.search(std::vector<float>{1, 1}, 1001, std::nullopt));
  EXPECT_FALSE(idx.search(std::vector<float>{1, 1}, 1, 0));
}

TEST(vector_index, parallel_insert_finds_every_item_exactly) {
  lh::worker_pool pool{2};
  const uint32_t dim = 16;
  lh::vector_index idx{params(lh::metric::l2, dim)};
  auto b = random_batch(dim, 3000, 5); // grows past the initial capacity
  auto vectors = b.vectors;
  auto r = idx.add(b, &pool);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->length, 3000u);
  size_t exact = 0;
  for (size_t i = 0; i < 3000; i += 7) {
    auto hits = idx.search({vectors.data() + i * dim, dim}, 1, 64);
    exact += (*hits)[0].id == item_id(i) && (*hits)[0].distance < 1e-4;
  }
  EXPECT_GE(exact, 420u); // of 429: HNSW is approximate, but not by much
}

TEST(vector_index, searches_run_beside_a_batch_insert) {
  lh::worker_pool pool{2};
  const uint32_t dim = 8;
  lh::vector_index idx{params(lh::metric::l2, dim)};
  ASSERT_TRUE(idx.add(random_batch(dim, 100, 1, "seed"), nullptr));
  std::atomic<bool> done{false};
  std::atomic<int> searches{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t)
    readers.emplace_back([&] {
      std::vector<float> q(dim, 0.5f);
      while (!done) {
        auto hits = idx.search(q, 5, std::nullopt);
        ASSERT_TRUE(hits);
        ASSERT_EQ(hits->size(), 5u);
        ++searches;
      }
    });
  for (int round = 0; round < 5; ++round)
    ASSERT_TRUE(idx.add(
      random_batch(dim, 600, 10 + round, "r" + std::to_string(round)), &pool));
  done = true;
  for (auto& t : readers)
    t.join();
  EXPECT_EQ(idx.length(), 3100u);
  EXPECT_GT(searches.load(), 0);
}

TEST(vector_index, an_add_waiting_for_a_save_does_not_hold_back_searches) {
  const uint32_t dim = 8;
  lh::vector_index idx{params(lh::metric::l2, dim)};
  ASSERT_TRUE(idx.add(random_batch(dim, 50, 1, "seed"), nullptr));
  // A save that holds its view until told to finish.
  std::promise<void> finish_save;
  std::promise<void> save_started;
  std::thread saver{[&] {
    idx.read_for_save([&](const lh::index_view&) {
      save_started.set_value();
      finish_save.get_future().wait();
    });
  }};
  save_started.get_future().wait();
  std::thread adder{
    [&] { EXPECT_TRUE(idx.add(random_batch(dim, 10, 2, "late"), nullptr)); }};
  std::this_thread::sleep_for(std::chrono::milliseconds{100}); // add waits
  // On the writer-preferring lock, a queued add would block this search
  // until the save ends; at the gate it does not.
  auto search = std::async(std::launch::async, [&] {
    return idx.search(std::vector<float>(dim, 0.5f), 3, std::nullopt);
  });
  auto answered = search.wait_for(std::chrono::seconds{5});
  finish_save.set_value();
  saver.join();
  adder.join();
  ASSERT_EQ(answered, std::future_status::ready);
  EXPECT_EQ(search.get()->size(), 3u);
  EXPECT_EQ(idx.length(), 60u); // the add went in after the save
}

TEST(worker_pool, runs_every_index_once) {
  lh::worker_pool pool{3};
  std::vector<std::atomic<int>> hits(1000);
  pool.parallel_for(hits.size(), 4, [&](size_t i) { ++hits[i]; });
  for (auto& h : hits)
    EXPECT_EQ(h.load(), 1);
  pool.parallel_for(0, 4, [&](size_t) { FAIL(); });
}
