#include "index/wal_record.hpp"

#include <gtest/gtest.h>

namespace {

using namespace lh;

add_batch two_items() {
  add_batch b;
  b.dimension = 2;
  b.ids = {"a", "b"};
  b.vectors = {1, 2, 3, 4};
  b.metadata = {R"({"x":1})", ""};
  return b;
}

} // namespace

TEST(wal_record, keys_sort_by_sequence_and_parse_back) {
  EXPECT_EQ(wal::key_of("docs", 42), "_wal/docs/00000000000000000042");
  EXPECT_LT(wal::key_of("docs", 9), wal::key_of("docs", 10));
  auto k = wal::parse_key(wal::key_of("my.index-1", UINT64_MAX));
  ASSERT_TRUE(k);
  EXPECT_EQ(k->index, "my.index-1");
  EXPECT_EQ(k->sequence, UINT64_MAX);
  for (auto bad : {"_wal/docs/42", "_wal//00000000000000000001",
                   "_vectors/docs.lhv1", "_wal/../00000000000000000001",
                   "_wal/docs/0000000000000000000x"})
    EXPECT_FALSE(wal::parse_key(bad)) << bad;
}

TEST(wal_record, every_kind_round_trips) {
  index_params p{"docs", 2, metric::cosine, 12, 100, 40};
  auto create = wal::decode(wal::encode_create(1, p));
  ASSERT_TRUE(create) << create.error().message;
  EXPECT_EQ(create->what, wal::kind::create);
  EXPECT_EQ(create->sequence, 1u);
  EXPECT_EQ(create->params.name, "docs");
  EXPECT_EQ(create->params.space, metric::cosine);
  EXPECT_EQ(create->params.ef_search, 40u);

  auto add = wal::decode(wal::encode_add(2, two_items()));
  ASSERT_TRUE(add) << add.error().message;
  EXPECT_EQ(add->what, wal::kind::add);
  EXPECT_EQ(add->batch.ids, two_items().ids);
  EXPECT_EQ(add->batch.vectors, two_items().vectors);
  EXPECT_EQ(add->batch.metadata, two_items().metadata);

  auto remove = wal::decode(wal::encode_remove(3, {"a", "zz"}));
  ASSERT_TRUE(remove);
  EXPECT_EQ(remove->ids, (std::vector<std::string>{"a", "zz"}));

  auto drop = wal::decode(wal::encode_drop(4));
  ASSERT_TRUE(drop);
  EXPECT_EQ(drop->what, wal::kind::drop);
  EXPECT_EQ(drop->sequence, 4u);
}

TEST(wal_record, any_damage_is_corrupt_data_never_a_crash) {
  auto bytes = wal::encode_add(7, two_items());
  // Every truncation, and a flip of every byte, is caught.
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto cut = wal::decode(bytes.substr(0, n));
    ASSERT_FALSE(cut) << n;
    EXPECT_EQ(cut.error().code, ec::corrupt_data);
    auto flipped = bytes;
    flipped[n] = static_cast<char>(flipped[n] ^ 0x40);
    EXPECT_FALSE(wal::decode(flipped)) << "byte " << n;
  }
}
