#include "http/item_json.hpp"

#include <gtest/gtest.h>

namespace {

// The refusal's message for `body` under `parse`.
template <class Parse>
std::string refusal(Parse parse, const std::string& body) {
  auto r = parse(body);
  EXPECT_FALSE(r) << "accepted " << body;
  return r ? std::string{} : r.error().message;
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST(item_json, parses_get_delete_count_and_scroll) {
  auto g = lh::json::parse_get(R"({"ids":["a","b"],"with_vector":true})");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(g->with_vector);
  auto d = lh::json::parse_delete(R"({"ids":["x"]})");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ids, (std::vector<std::string>{"x"}));
  EXPECT_FALSE(d->where);
  d = lh::json::parse_delete(R"({"filter":{"must":[{"has_id":["x"]}]}})");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->where);
  auto c = lh::json::parse_count("");
  ASSERT_TRUE(c);
  EXPECT_FALSE(*c);
  c = lh::json::parse_count(R"({"filter":{"must_not":[{"has_id":["x"]}]}})");
  ASSERT_TRUE(c);
  EXPECT_TRUE(*c);
  auto s = lh::json::parse_scroll(
    R"({"limit":5,"after":"k","with_vector":true})");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->limit, 5u);
  EXPECT_EQ(s->after, "k");
  EXPECT_TRUE(s->with_vector);
  s = lh::json::parse_scroll("{}");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->limit, 100u);
  EXPECT_FALSE(s->after);
}

TEST(item_json, refuses_every_malformed_item_request) {
  using namespace lh::json;
  EXPECT_TRUE(has(refusal(parse_get, R"({"ids":"a"})"), "array of ids"));
  EXPECT_TRUE(has(refusal(parse_get, R"({"ids":[]})"), "1..1000 ids"));
  EXPECT_TRUE(has(refusal(parse_get, "[1]"), "JSON object"));
  EXPECT_TRUE(has(refusal(parse_get, R"({"ids":["a"]} x)"), "not valid JSON"))
    << refusal(parse_get, R"({"ids":["a"]} x)");
  std::string many = R"({"ids":[)";
  for (int i = 0; i < 1001; ++i)
    many += std::string{i ? "," : ""} + "\"a\"";
  EXPECT_TRUE(has(refusal(parse_get, many + "]}"), "more than 1000"));
  EXPECT_TRUE(has(refusal(parse_delete, "{}"), "ids or a filter"));
  EXPECT_TRUE(
    has(refusal(parse_delete, R"({"ids":["a"],"filter":{}})"), "not both"));
  EXPECT_TRUE(
    has(refusal(parse_delete, R"({"filter":{"must":{}}})"), "filter.must"));
  EXPECT_TRUE(has(refusal(parse_count, R"({"where":{}})"), "unknown field"));
  EXPECT_TRUE(has(refusal(parse_scroll, R"({"limit":-1})"), "limit"));
  EXPECT_TRUE(has(refusal(parse_scroll, R"({"after":3})"), "after must be"));
  EXPECT_TRUE(has(refusal(parse_scroll,
                          R"({"after":")" + std::string(300, 'a') + R"("})"),
                  "longer than any id"));
}

TEST(item_json, renders_items_pages_and_counts) {
  lh::get_result g{{{"a", R"({"x":1})", {}}, {"b", "", {0.5f}}}, {"zz"}};
  EXPECT_EQ(lh::json::render_get(g),
            R"({"items":[{"id":"a","metadata":{"x":1}},)"
            R"({"id":"b","metadata":null,"vector":[0.5]}],"missing":["zz"]})");
  lh::scroll_page page{{{"a", "", {}}}, "a"};
  EXPECT_EQ(lh::json::render_scroll(page),
            R"({"items":[{"id":"a","metadata":null}],"next":"a"})");
  page.next.reset();
  EXPECT_EQ(lh::json::render_scroll(page),
            R"({"items":[{"id":"a","metadata":null}],"next":null})");
  EXPECT_EQ(lh::json::render_count(4), R"({"count":4})");
  EXPECT_EQ(lh::json::render_delete({2, 8}), R"({"deleted":2,"length":8})");
}
