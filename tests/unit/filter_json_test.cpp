#include "http/filter_json.hpp"

#include "config/request_limits.hpp"

#include <gtest/gtest.h>

namespace {

using kind = lh::filter_condition::kind;

lh::filter parsed(std::string_view text) {
  auto f = lh::json::parse_filter(text);
  EXPECT_TRUE(f) << text << ": " << (f ? "" : f.error().message);
  return f ? *f : lh::filter{};
}

// The refusal's message, which must name `where` (the offending path).
std::string refusal(std::string_view text) {
  auto f = lh::json::parse_filter(text);
  EXPECT_FALSE(f) << "accepted " << text;
  if (f)
    return {};
  EXPECT_EQ(f.error().code, lh::ec::invalid_argument);
  return f.error().message;
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST(filter_json, parses_every_condition_form) {
  auto f = parsed(R"({
    "must":[{"key":"color","match":{"value":"red"}},
            {"key":"meta.size","match":{"value":3}},
            {"key":"ok","match":{"value":true}},
            {"key":"tags","match":{"any":["a",2,false]}},
            {"key":"price","range":{"gte":1.5,"lt":10}}],
    "should":[{"has_id":["x","y"]},{"is_empty":{"key":"notes"}}],
    "must_not":[{"must":[{"key":"a","match":{"value":"b"}}]}]})");
  ASSERT_EQ(f.must.size(), 5u);
  EXPECT_EQ(f.must[0].what, kind::match_value);
  EXPECT_EQ(f.must[0].path, (std::vector<std::string>{"color"}));
  EXPECT_EQ(f.must[0].values, (std::vector<lh::filter_value>{"red"}));
  EXPECT_EQ(f.must[1].path, (std::vector<std::string>{"meta", "size"}));
  EXPECT_EQ(f.must[1].values, (std::vector<lh::filter_value>{int64_t{3}}));
  EXPECT_EQ(f.must[2].values, (std::vector<lh::filter_value>{true}));
  EXPECT_EQ(f.must[3].what, kind::match_any);
  EXPECT_EQ(f.must[3].values,
            (std::vector<lh::filter_value>{"a", int64_t{2}, false}));
  EXPECT_EQ(f.must[4].what, kind::range);
  EXPECT_EQ(f.must[4].gte, 1.5);
  EXPECT_EQ(f.must[4].lt, 10.0);
  EXPECT_FALSE(f.must[4].gt);
  EXPECT_FALSE(f.must[4].lte);
  ASSERT_EQ(f.should.size(), 2u);
  EXPECT_EQ(f.should[0].what, kind::has_id);
  EXPECT_EQ(f.should[0].ids, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(f.should[1].what, kind::is_empty);
  EXPECT_EQ(f.should[1].path, (std::vector<std::string>{"notes"}));
  ASSERT_EQ(f.must_not.size(), 1u);
  EXPECT_EQ(f.must_not[0].what, kind::nested);
  ASSERT_TRUE(f.must_not[0].sub);
  EXPECT_EQ(f.must_not[0].sub->must.size(), 1u);
}

TEST(filter_json, the_empty_filter_matches_everything) {
  EXPECT_TRUE(parsed("{}").empty());
  EXPECT_TRUE(parsed(R"({"must":[]})").empty());
}

TEST(filter_json, refuses_what_is_not_a_filter_and_names_the_path) {
  EXPECT_TRUE(has(refusal("[]"), "filter: a filter must be an object"));
  EXPECT_TRUE(has(refusal("{"), "not valid JSON"));
  EXPECT_TRUE(has(refusal(R"({"mast":[]})"), "unknown filter field 'mast'"));
  EXPECT_TRUE(has(refusal(R"({"must":{}})"),
                  "filter.must: must be an array of conditions"));
  EXPECT_TRUE(has(refusal(R"({"must":[1]})"),
                  "filter.must[0]: a condition must be an object, not 1"));
}

TEST(filter_json, refuses_each_malformed_condition) {
  auto msg = refusal(R"({"should":[{"key":"a","match":{"value":"b"}},
                                  {"key":"a","matches":{"value":"b"}}]})");
  EXPECT_TRUE(has(msg, "filter.should[1]")) << msg;
  EXPECT_TRUE(has(msg, "unknown condition field 'matches'")) << msg;
  // Operators and their values.
  EXPECT_TRUE(has(refusal(R"({"must":[{"key":"a","match":{"eq":1}}]})"),
                  "filter.must[0].match: unknown match operator 'eq'"));
  EXPECT_TRUE(has(refusal(R"({"must":[{"key":"a","match":{"value":1.5}}]})"),
                  "filter.must[0].match.value: must be a string, an "
                  "integer or a bool, not 1.5"));
  EXPECT_TRUE(has(refusal(R"({"must":[{"key":"a","match":{"value":null}}]})"),
                  "not null"));
  EXPECT_TRUE(has(refusal(R"({"must":[{"key":"a","match":{"any":["x",{}]}}]})"),
                  "filter.must[0].match.any[1]"));
  EXPECT_TRUE(has(refusal(R"({"must":[{"key":"a","match":{"any":"x"}}]})"),
                  "filter.must[0].match.any: must be an array"));
  EXPECT_TRUE(has(refusal(R"({"must":[{"key":"a","match":{}}]})"),
                  "filter.must[0].match: must be"));
  EXPECT_TRUE(
    has(refusal(R"({"must":[{"key":"a","match":{"value":1,"any":[1]}}]})"),
        "filter.must[0].match: must be"));
  // Ranges.
  EXPECT_TRUE(has(refusal(R"({"must":[{"key":"p","range":{}}]})"),
                  "a range needs at least one of gt, gte, lt, lte"));
  EXPECT_TRUE(has(refusal(R"({"must":[{"key":"p","range":{"ge":1}}]})"),
                  "filter.must[0].range: unknown range operator 'ge'"));
  EXPECT_TRUE(has(refusal(R"({"must":[{"key":"p","range":{"lt":"9"}}]})"),
                  "filter.must[0].range.lt: must be a number, not \"9\""));
  EXPECT_TRUE(has(refusal(R"({"must":[{"key":"p","range":[1]}]})"),
                  "filter.must[0].range: must be an object"));
  // Keys.
  EXPECT_TRUE(has(refusal(R"({"must":[{"key":"","match":{"value":1}}]})"),
                  "filter.must[0].key: key must be a non-empty string"));
  EXPECT_TRUE(
    has(refusal(R"({"must":[{"key":7,"match":{"value":1}}]})"), "not 7"));
  EXPECT_TRUE(has(refusal(R"({"must":[{"key":"a..b","match":{"value":1}}]})"),
                  "key 'a..b' has an empty segment"));
  EXPECT_TRUE(has(refusal(R"({"must":[{"key":"a.","match":{"value":1}}]})"),
                  "empty segment"));
  // Forms that mix or lack parts.
  EXPECT_TRUE(
    has(refusal(R"({"must":[{"key":"a"}]})"), "a condition is one of"));
  EXPECT_TRUE(has(refusal(R"({"must":[{"match":{"value":1}}]})"),
                  "a condition is one of"));
  EXPECT_TRUE(has(
    refusal(R"({"must":[{"key":"a","match":{"value":1},"range":{"gt":1}}]})"),
    "a condition is one of"));
  EXPECT_TRUE(has(refusal(R"({"must":[{"key":"a","has_id":["x"]}]})"),
                  "a condition is one of"));
  EXPECT_TRUE(has(refusal(R"({"must":[{}]})"), "a condition is one of"));
  // has_id and is_empty.
  EXPECT_TRUE(has(refusal(R"({"must":[{"has_id":"x"}]})"),
                  "filter.must[0].has_id: must be an array of ids"));
  EXPECT_TRUE(has(refusal(R"({"must":[{"has_id":["x",3]}]})"),
                  "filter.must[0].has_id[1]: an id must be a string"));
  EXPECT_TRUE(has(refusal(R"({"must":[{"is_empty":"k"}]})"),
                  "filter.must[0].is_empty: must be {\"key\":...}"));
  EXPECT_TRUE(has(refusal(R"({"must":[{"is_empty":{"key":"k","x":1}}]})"),
                  "filter.must[0].is_empty"));
  // A nested filter is checked like the top one, with its path.
  EXPECT_TRUE(has(refusal(R"({"must_not":[{"should":[{"key":"a",)"
                          R"("range":{"gt":true}}]}]})"),
                  "filter.must_not[0].should[0].range.gt"));
}

// nest(n): n filter objects, the innermost holding the key condition.
std::string nest(size_t levels) {
  std::string text = R"({"key":"a","match":{"value":1}})";
  for (size_t i = 1; i < levels; ++i)
    text = R"({"must":[)" + text + "]}";
  return R"({"must":[)" + text + "]}";
}

TEST(filter_json, nesting_deeper_than_sixteen_levels_is_refused) {
  EXPECT_TRUE(lh::json::parse_filter(nest(16)));
  EXPECT_TRUE(has(refusal(nest(17)), "filters nest deeper than 16 levels "
                                     "(limits.max_filter_depth)"));
}

TEST(filter_json, nesting_limits_come_from_the_configured_limits) {
  lh::request_limits l;
  l.max_filter_depth = 3;
  {
    lh::scoped_request_limits scoped{l};
    EXPECT_TRUE(lh::json::parse_filter(nest(3)));
    EXPECT_TRUE(has(refusal(nest(4)), "filters nest deeper than 3 levels"));
    // The JSON depth is checked while parsing, before the filter's shape:
    // nest(3) is 8 JSON levels deep (object, array per level, and the
    // condition with its match object), 9 inside a request.
    l.max_json_depth = 9;
    lh::scoped_request_limits at_the_limit{l};
    EXPECT_TRUE(lh::json::parse_filter(nest(3)));
    l.max_json_depth = 8;
    lh::scoped_request_limits shallower{l};
    EXPECT_TRUE(has(refusal(nest(3)), "nests deeper than the request's limit "
                                      "of 8 JSON levels (limits.max_json_depth)"));
  }
  // Restored when the scope ends.
  EXPECT_TRUE(lh::json::parse_filter(nest(16)));
}
