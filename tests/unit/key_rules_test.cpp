#include "storage/key_rules.hpp"

#include <gtest/gtest.h>

namespace {

lh::ec refusal(std::string_view raw) {
  auto key = lh::decode_key(raw);
  EXPECT_FALSE(key) << "accepted '" << raw << "'";
  return key ? lh::ec{} : key.error().code;
}

} // namespace

TEST(key_rules, accepts_plain_and_nested_keys) {
  EXPECT_EQ(*lh::decode_key("a"), "a");
  EXPECT_EQ(*lh::decode_key("_vectors/docs.lhv1"), "_vectors/docs.lhv1");
  EXPECT_EQ(*lh::decode_key("a/b.c/..d/e..."), "a/b.c/..d/e...");
}

TEST(key_rules, percent_2f_round_trips_as_slash) {
  EXPECT_EQ(*lh::decode_key("_vectors%2Fdocs.lhv1"), "_vectors/docs.lhv1");
  EXPECT_EQ(*lh::decode_key("a%2fb"), "a/b");
  EXPECT_EQ(lh::percent_encode("a/b c"), "a/b%20c");
  EXPECT_EQ(*lh::percent_decode(lh::percent_encode("x%2F/\xc3\xa9")),
            "x%2F/\xc3\xa9");
}

TEST(key_rules, decodes_utf8_escapes) {
  EXPECT_EQ(*lh::decode_key("caf%C3%A9"), "caf\xc3\xa9");
}

TEST(key_rules, refuses_empty_key) {
  EXPECT_EQ(refusal(""), lh::ec::invalid_argument);
}

TEST(key_rules, refuses_dot_segments) {
  for (auto raw : {"..", ".", "a/..", "../a", "a/../b", "a/./b", "a/.",
                   "%2e%2e", "%2E%2E/x", "a%2F..%2Fb", "a/%2e", ".%2e"})
    EXPECT_EQ(refusal(raw), lh::ec::invalid_argument) << raw;
}

TEST(key_rules, refuses_nul_and_control_bytes) {
  for (auto raw : {"a%00b", "%00", "a%0Ab", "a%1fb", "a%7Fb", "tab%09"})
    EXPECT_EQ(refusal(raw), lh::ec::invalid_argument) << raw;
  EXPECT_FALSE(lh::validate_key(std::string_view{"a\0b", 3}));
}

TEST(key_rules, refuses_invalid_utf8) {
  for (auto raw : {"%FF", "%C3", "%C3%28", "%E2%82", "%ED%A0%80", "%C0%AF",
                   "%F5%80%80%80", "%F0%82%82%AC"})
    EXPECT_EQ(refusal(raw), lh::ec::invalid_argument) << raw;
}

TEST(key_rules, refuses_keys_over_one_kib) {
  EXPECT_TRUE(lh::decode_key(std::string(1024, 'k')));
  EXPECT_EQ(refusal(std::string(1025, 'k')), lh::ec::invalid_argument);
  // The limit is on the decoded key: 1024 escaped bytes decode to 1024.
  std::string escaped;
  for (int i = 0; i < 1024; ++i)
    escaped += "%41";
  EXPECT_TRUE(lh::decode_key(escaped));
}

TEST(key_rules, refuses_bad_escapes) {
  for (auto raw : {"%", "a%", "a%2", "%zz", "%g0"})
    EXPECT_EQ(refusal(raw), lh::ec::invalid_argument) << raw;
}

TEST(key_rules, error_names_the_problem) {
  auto key = lh::decode_key("a/%2e%2e/b");
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().message.find("'..'"), std::string::npos)
    << key.error().message;
}

TEST(key_rules, prefixes_may_be_empty_but_not_control_bytes) {
  EXPECT_TRUE(lh::validate_prefix(""));
  EXPECT_TRUE(lh::validate_prefix("_vectors/"));
  EXPECT_FALSE(lh::validate_prefix(std::string_view{"\0", 1}));
  EXPECT_FALSE(lh::validate_prefix("\xff"));
}

TEST(key_rules, backslashes_are_refused) {
  for (auto key : {"a\\b", "..\\etc", "a/..\\..\\b"})
    EXPECT_FALSE(lh::validate_key(key)) << key;
  EXPECT_FALSE(lh::decode_key("a%5C..%5Cb"));
}
