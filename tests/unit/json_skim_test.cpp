// The skim that splits a large add body into its items: it finds where
// each element of "items" lies, whatever its strings hold, and gives up
// (nullopt: the body is parsed whole) on any other shape.
#include "http/json_skim.hpp"

#include <string>

#include <gtest/gtest.h>

namespace {

std::vector<std::string> pieces(std::string_view body) {
  auto items = lh::json::items_of(body);
  EXPECT_TRUE(items) << body;
  std::vector<std::string> out;
  if (items)
    for (auto [offset, length] : *items)
      out.emplace_back(body.substr(offset, length));
  return out;
}

} // namespace

TEST(json_skim, finds_each_item_whatever_its_strings_hold) {
  using v = std::vector<std::string>;
  EXPECT_EQ(pieces(R"({"items":[]})"), v{});
  EXPECT_EQ(pieces(" {\n \"items\" :\t[ ] } \n"), v{});
  EXPECT_EQ(pieces(R"({"items":[{"id":"a","vector":[1,2]}]})"),
            v{R"({"id":"a","vector":[1,2]})"});
  // Brackets, braces, commas and escaped quotes inside strings are text.
  EXPECT_EQ(
    pieces(R"({"items":[ {"id":"]},\"{[","m":{"x":[[]]}} ,{"id":"b"}]})"),
    (v{R"({"id":"]},\"{[","m":{"x":[[]]}})", R"({"id":"b"})"}));
  // Not objects: still items, simdjson says what is wrong with them.
  EXPECT_EQ(pieces(R"({"items":[5, "s", [1], null]})"),
            (v{"5", R"("s")", "[1]", "null"}));
}

TEST(json_skim, any_other_shape_is_left_to_the_whole_parse) {
  for (std::string_view body :
       {"", "[]", "{}", R"({"item":[]})", R"({"\u0069tems":[]})",
        R"({"items":[],"x":1})", R"({"items":{}})", R"({"items":[1,]})",
        R"({"items":[1 2]})", R"({"items":[{"id":"a}]})", R"({"items":[{]})",
        R"({"items":[1]} x)", R"({"items":[1])", R"({"items":[1]}})",
        R"({"items":[,]})"})
    EXPECT_FALSE(lh::json::items_of(body)) << body;
}
