// LHV1 blobs and hnswlib graph bytes: round trips, byte identity with
// hnswlib's saveIndex, and refusal (never a crash) of damaged blobs.
#include "index/lhv1.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "storage/crc32c.hpp"

namespace {

constexpr uint32_t dim = 8;

lh::index_params params() {
  return {"docs", dim, lh::metric::l2, 8, 50, 32};
}

struct sample {
  std::unique_ptr<lh::hnsw_index> graph;
  std::vector<std::string> ids;
  std::vector<std::string> metadata;
  std::vector<float> vectors;
};

sample make_sample(size_t n) {
  sample s;
  s.graph = std::make_unique<lh::hnsw_index>(lh::graph_params(params()), n);
  std::mt19937 rng{3};
  std::normal_distribution<float> d;
  for (size_t i = 0; i < n; ++i) {
    for (uint32_t j = 0; j < dim; ++j)
      s.vectors.push_back(d(rng));
    EXPECT_TRUE(s.graph->add(i, s.vectors.data() + i * dim));
    s.ids.push_back("id-" + std::to_string(i));
    s.metadata.push_back(i % 2 ? "" : "{\"i\":" + std::to_string(i) + "}");
  }
  return s;
}

std::string encode(const sample& s) {
  return lh::lhv1::encode(params(), s.ids, s.metadata, s.graph->serialize())
    .value();
}

// Decodes and loads the graph; the error when either step refuses.
lh::expected<std::unique_ptr<lh::hnsw_index>> load(std::string_view blob) {
  auto d = lh::lhv1::decode(blob);
  if (!d)
    return d.error();
  return lh::hnsw_index::deserialize(lh::graph_params(d->params), d->graph);
}

} // namespace

TEST(crc32c, matches_the_standard_check_value) {
  EXPECT_EQ(lh::crc32c("123456789"), 0xe3069283u);
  EXPECT_EQ(lh::crc32c(""), 0u);
}

TEST(hnsw_graph, serialize_is_byte_identical_to_save_index) {
  auto s = make_sample(300);
  auto path = std::filesystem::temp_directory_path()
              / ("lh-graph-" + std::to_string(::getpid()));
  ASSERT_TRUE(s.graph->save_to_file(path.string()));
  std::ifstream in{path, std::ios::binary};
  std::stringstream file;
  file << in.rdbuf();
  std::filesystem::remove(path);
  EXPECT_TRUE(file.str() == s.graph->serialize());
}

TEST(lhv1, round_trips_params_ids_metadata_and_graph) {
  auto s = make_sample(300);
  auto blob = encode(s);
  ASSERT_TRUE(blob.starts_with("LHV1"));
  auto d = lh::lhv1::decode(blob);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->params.name, "docs");
  EXPECT_EQ(d->params.dimension, dim);
  EXPECT_EQ(d->params.m, 8u);
  EXPECT_EQ(d->params.ef_search, 32u);
  EXPECT_EQ(d->ids, s.ids);
  EXPECT_EQ(d->metadata, s.metadata);
  auto g = lh::hnsw_index::deserialize(lh::graph_params(d->params), d->graph);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_TRUE((*g)->serialize() == s.graph->serialize());
  // The same searches give the same answers; a stored vector is at 0.
  for (size_t i = 0; i < 300; i += 17) {
    auto q = s.vectors.data() + i * dim;
    auto a = s.graph->search(q, 5, 32);
    auto b = (*g)->search(q, 5, 32);
    ASSERT_EQ(a.size(), b.size());
    for (size_t r = 0; r < a.size(); ++r)
      EXPECT_EQ(a[r].label, b[r].label);
    EXPECT_EQ(b[0].label, i);
    EXPECT_NEAR(b[0].distance, 0, 1e-6);
  }
  // A loaded graph keeps growing.
  std::vector<float> v(dim, 0.5f);
  ASSERT_TRUE((*g)->reserve(400));
  EXPECT_TRUE((*g)->add(300, v.data()));
  EXPECT_EQ((*g)->search(v.data(), 1, 16)[0].label, 300u);
}

TEST(lhv1, empty_index_round_trips) {
  auto s = make_sample(0);
  auto g = load(encode(s));
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ((*g)->element_count(), 0u);
}

TEST(lhv1, every_truncation_is_refused) {
  auto blob = encode(make_sample(40));
  for (size_t n = 0; n < blob.size(); ++n) {
    auto r = load(std::string_view{blob}.substr(0, n));
    ASSERT_FALSE(r) << "accepted a blob cut at " << n;
    EXPECT_EQ(r.error().code, lh::ec::corrupt_data);
  }
}

TEST(lhv1, bit_flips_in_envelope_and_graph_are_refused) {
  auto blob = encode(make_sample(40));
  size_t refused = 0;
  for (size_t i = 0; i < blob.size(); i += 7) {
    for (int bit : {0, 5}) {
      auto damaged = blob;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      auto r = load(damaged);
      ASSERT_FALSE(r) << "accepted a flip at byte " << i;
      ++refused;
    }
  }
  EXPECT_GT(refused, 100u);
}

TEST(lhv1, wrong_magic_and_lengths_are_named) {
  auto blob = encode(make_sample(10));
  auto bad = blob;
  bad[0] = 'X';
  EXPECT_NE(lh::lhv1::decode(bad).error().message.find("magic"),
            std::string::npos);
  bad = blob;
  bad[4] = '\x7f'; // envelope length far past the end
  EXPECT_NE(lh::lhv1::decode(bad).error().message.find("past the end"),
            std::string::npos);
  auto extra = blob + "x";
  EXPECT_FALSE(lh::lhv1::decode(extra));
}

TEST(lhv1, envelope_that_disagrees_with_the_graph_is_refused) {
  auto s = make_sample(20);
  auto graph = s.graph->serialize();
  // One id too few: counts disagree with the graph.
  auto ids = s.ids;
  auto metadata = s.metadata;
  ids.pop_back();
  metadata.pop_back();
  auto r = lh::lhv1::decode(
    lh::lhv1::encode(params(), ids, metadata, graph).value());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("elements"), std::string::npos)
    << r.error().message;
  // Another dimension: the graph's element size disagrees.
  auto p = params();
  p.dimension = 9;
  r = lh::lhv1::decode(lh::lhv1::encode(p, s.ids, s.metadata, graph).value());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("dimension"), std::string::npos)
    << r.error().message;
}

TEST(lhv1, key_names_the_index) {
  EXPECT_EQ(lh::lhv1::key_of("docs"), "_vectors/docs.lhv1");
}

TEST(hnsw_graph, truncated_graph_bytes_are_refused) {
  auto graph = make_sample(30).graph->serialize();
  for (size_t n = 0; n < graph.size(); ++n) {
    auto r = lh::hnsw_index::deserialize(lh::graph_params(params()),
                                         std::string_view{graph}.substr(0, n));
    ASSERT_FALSE(r) << "accepted graph bytes cut at " << n;
  }
}

TEST(hnsw_graph, damaged_graph_bytes_never_crash_a_load_or_search) {
  // No checksum here: this is the graph loader's own armour. Flips in the
  // vectors load fine (they are just other numbers); flips in the header
  // or links are refused; nothing may crash (ASan checks the searches).
  auto s = make_sample(30);
  auto graph = s.graph->serialize();
  std::mt19937 rng{9};
  size_t refused = 0;
  for (size_t i = 0; i < graph.size(); ++i) {
    auto damaged = graph;
    damaged[i] = static_cast<char>(damaged[i] ^ (1 << (rng() % 8)));
    auto r = lh::hnsw_index::deserialize(lh::graph_params(params()), damaged);
    if (!r) {
      ++refused;
      continue;
    }
    for (size_t q = 0; q < 30; q += 7)
      (void)(*r)->search(s.vectors.data() + q * dim, 3, 16);
  }
  EXPECT_GT(refused, 0u);
}

TEST(hnsw_graph, what_hnswlib_derives_from_m_is_never_read_from_the_bytes) {
  // Issue 13: a crafted mult (the level multiplier) would make every later
  // insert draw huge levels. The loader keeps the one M gives.
  auto s = make_sample(20);
  auto graph = s.graph->serialize();
  // hnswlib's header: 6 size_t, maxlevel (int), entry point (uint32),
  // maxM, maxM0, M (size_t), then mult (double).
  constexpr size_t mult_at = 6 * 8 + 4 + 4 + 3 * 8;
  double honest = 0;
  std::memcpy(&honest, graph.data() + mult_at, sizeof honest);
  ASSERT_NEAR(honest, 1 / std::log(8.0), 1e-12); // the layout is as read
  auto crafted = graph;
  double huge = 1e300;
  std::memcpy(crafted.data() + mult_at, &huge, sizeof huge);
  auto r = lh::hnsw_index::deserialize(lh::graph_params(params()), crafted);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE((*r)->reserve(21));
  std::vector<float> v(dim, 0.5f);
  ASSERT_TRUE((*r)->add(20, v.data()));
  auto again = (*r)->serialize();
  double kept = 0;
  std::memcpy(&kept, again.data() + mult_at, sizeof kept);
  EXPECT_EQ(kept, honest);
  EXPECT_LT(again.size(), graph.size() + 4096) << "the new item drew a huge level";
}

TEST(hnsw_graph, serialized_size_is_exact) {
  for (size_t n : {0, 1, 57, 300}) {
    auto s = make_sample(n);
    EXPECT_EQ(s.graph->serialize().size(), s.graph->serialized_size()) << n;
  }
}

namespace {

// A live index with 120 items, metadata on every third.
std::shared_ptr<lh::vector_index> live_index(lh::metric space) {
  auto p = params();
  p.space = space;
  auto idx = std::make_shared<lh::vector_index>(p);
  lh::add_batch batch;
  batch.dimension = dim;
  std::mt19937 rng{5};
  std::normal_distribution<float> d;
  for (size_t i = 0; i < 120; ++i) {
    batch.ids.push_back("doc-" + std::to_string(i));
    batch.metadata.push_back(i % 3 ? "" : R"({"n":)" + std::to_string(i) + "}");
    for (uint32_t j = 0; j < dim; ++j)
      batch.vectors.push_back(d(rng));
  }
  EXPECT_TRUE(idx->add(batch, nullptr));
  return idx;
}

} // namespace

TEST(lhv1, encode_index_writes_the_same_bytes_as_encoding_its_parts) {
  auto idx = live_index(lh::metric::l2);
  std::string from_parts;
  idx->read_for_save([&](const lh::index_view& v) {
    from_parts = lh::lhv1::encode(v.params, v.ids, v.metadata,
                                  v.graph.serialize())
                   .value();
  });
  EXPECT_TRUE(lh::lhv1::encode_index(*idx).value() == from_parts);
}

TEST(lhv1, restore_brings_back_ids_metadata_and_graph) {
  for (auto space : {lh::metric::l2, lh::metric::cosine, lh::metric::dot}) {
    auto idx = live_index(space);
    auto back = lh::lhv1::restore("docs", lh::lhv1::encode_index(*idx).value());
    ASSERT_TRUE(back) << back.error().message;
    auto& r = **back;
    EXPECT_EQ(r.length(), 120u);
    EXPECT_EQ(r.params().space, space);
    EXPECT_EQ(r.params().ef_search, 32u);
    // Every answer is the same as the original's, metadata included.
    std::mt19937 rng{5};
    std::normal_distribution<float> d;
    for (size_t i = 0; i < 120; ++i) {
      std::vector<float> v(dim);
      for (auto& x : v)
        x = d(rng);
      auto a = idx->search(v, 3, 32);
      auto b = r.search(v, 3, 32);
      ASSERT_TRUE(a && b);
      ASSERT_EQ(a->size(), b->size());
      for (size_t k = 0; k < a->size(); ++k) {
        EXPECT_EQ((*a)[k].id, (*b)[k].id);
        EXPECT_EQ((*a)[k].metadata, (*b)[k].metadata);
        EXPECT_FLOAT_EQ((*a)[k].distance, (*b)[k].distance);
      }
      if (space != lh::metric::dot) { // under dot, others can be nearer
        EXPECT_EQ((*b)[0].id, "doc-" + std::to_string(i));
        EXPECT_NEAR((*b)[0].distance, 0, 1e-3);
      }
    }
    // A restored index takes upserts and new items.
    lh::add_batch more;
    more.dimension = dim;
    more.ids = {"doc-0", "new"};
    more.metadata = {"", R"({"new":true})"};
    more.vectors.assign(2 * dim, 0.25f);
    more.vectors[0] = 1;
    auto added = r.add(more, nullptr);
    ASSERT_TRUE(added) << added.error().message;
    EXPECT_EQ(added->length, 121u);
  }
}

TEST(lhv1, restore_refuses_a_blob_of_another_index_or_with_twin_ids) {
  auto idx = live_index(lh::metric::l2);
  auto blob = lh::lhv1::encode_index(*idx).value();
  auto r = lh::lhv1::restore("other", blob);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, lh::ec::corrupt_data);
  EXPECT_NE(r.error().message.find("'docs'"), std::string::npos);
  auto s = make_sample(3);
  s.ids[2] = s.ids[0];
  r = lh::lhv1::restore("docs", encode(s));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("twice"), std::string::npos)
    << r.error().message;
}

TEST(lhv1, an_envelope_past_its_32_bit_length_is_refused_not_wrapped) {
  EXPECT_TRUE(lh::lhv1::check_envelope_size(lh::lhv1::max_envelope_bytes));
  auto refused = lh::lhv1::check_envelope_size(lh::lhv1::max_envelope_bytes
                                               + 1);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, lh::ec::payload_too_large);
  EXPECT_NE(refused.error().message.find("4294967296 bytes"), std::string::npos)
    << refused.error().message;
}
