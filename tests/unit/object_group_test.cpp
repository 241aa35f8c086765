#include "storage/object_group.hpp"

#include <gtest/gtest.h>

TEST(object_group, round_trips_keys_and_values_with_any_bytes) {
  lh::object_group g{{"_wal/a/1", std::string("x\0y", 3)}, {"k", ""}};
  auto back = lh::decode_object_group(lh::encode_object_group(g));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, g);
  EXPECT_TRUE(lh::decode_object_group("")->empty());
}

TEST(object_group, a_body_cut_short_anywhere_is_refused) {
  auto body = lh::encode_object_group({{"key", "value"}, {"k2", "v2"}});
  for (size_t n = 1; n < body.size(); ++n) {
    auto r = lh::decode_object_group(body.substr(0, n));
    // A cut that falls between objects is a shorter, valid group.
    if (r)
      EXPECT_EQ(n, lh::encode_object_group({{"key", "value"}}).size());
    else
      EXPECT_EQ(r.error().code, lh::ec::invalid_argument);
  }
  // A length that points past the end.
  std::string lying("\xff\xff\xff\xff", 4);
  EXPECT_FALSE(lh::decode_object_group(lying));
}
