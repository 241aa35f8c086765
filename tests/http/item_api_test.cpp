// The item routes (get, delete, count, scroll) and search's filter,
// with_metadata and with_vector, on vectord and on the all-in-one
// lakehouse, through the real server, registry and index actors.
#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "tests/http/vector_api_fixture.hpp"

using lh::http::method;
using lh::test::has;

namespace {

namespace bj = boost::json;

class item_api : public lh::test::vector_api_fixture {
protected:
  // 50 items "i0".."i49" at (i, i%5) with metadata {"n": i, "g": i%5,
  // "tags": ["t<i%3>"], "m": {"deep": i%2==0}} in index "items".
  void SetUp() override {
    vector_api_fixture::SetUp();
    create("items", 2, "l2");
    std::string items;
    for (int i = 0; i < 50; ++i)
      items += std::string{i ? "," : ""} + R"({"id":"i)" + std::to_string(i)
               + R"(","vector":[)" + std::to_string(i) + ","
               + std::to_string(i % 5) + R"(],"metadata":{"n":)"
               + std::to_string(i) + R"(,"g":)" + std::to_string(i % 5)
               + R"(,"tags":["t)" + std::to_string(i % 3) + R"("],"m":{"deep":)"
               + (i % 2 == 0 ? "true" : "false") + "}}}";
    auto r = call(method::post, "/vectors/index/items/add",
                  R"({"items":[)" + items + "]}");
    ASSERT_EQ(r.status, 200u) << r.body;
  }

  bj::value post(const std::string& route, const std::string& body,
                 unsigned status = 200) {
    auto r = call(method::post, "/vectors/index/items/" + route, body);
    EXPECT_EQ(r.status, status) << route << " " << body << " -> " << r.body;
    return bj::parse(r.body);
  }

  size_t count(const std::string& filter) {
    auto body = post("count",
                     filter.empty() ? "{}" : R"({"filter":)" + filter + "}");
    return body.at("count").to_number<size_t>();
  }

  // The error message of a refused request.
  std::string refusal(const std::string& route, const std::string& body,
                      unsigned status = 400) {
    auto v = post(route, body, status);
    return std::string{v.at("error").as_string()};
  }
};

std::vector<std::string> ids(const bj::value& items) {
  std::vector<std::string> out;
  for (auto& item : items.as_array())
    out.emplace_back(item.at("id").as_string());
  return out;
}

} // namespace

TEST_P(item_api, get_returns_items_in_order_with_missing_ids) {
  auto r = post("get", R"({"ids":["i3","nope","i1"],"with_vector":true})");
  EXPECT_EQ(ids(r.at("items")), (std::vector<std::string>{"i3", "i1"}));
  EXPECT_EQ(r.at("items").at(0).at("metadata").at("n").as_int64(), 3);
  EXPECT_EQ(bj::serialize(r.at("items").at(0).at("vector")), "[3,3]");
  EXPECT_EQ(bj::serialize(r.at("missing")), R"(["nope"])");
  auto plain = post("get", R"({"ids":["i3"]})");
  EXPECT_FALSE(plain.at("items").at(0).as_object().contains("vector"));
}

TEST_P(item_api, count_filters_by_every_condition_kind) {
  EXPECT_EQ(count(""), 50u);
  EXPECT_EQ(count(R"({"must":[{"key":"g","match":{"value":2}}]})"), 10u);
  EXPECT_EQ(count(R"({"must":[{"key":"g","match":{"any":[0,1]}}]})"), 20u);
  EXPECT_EQ(count(R"({"must":[{"key":"n","range":{"gte":10,"lt":20}}]})"), 10u);
  EXPECT_EQ(count(R"({"must":[{"key":"tags","match":{"value":"t0"}}]})"), 17u);
  EXPECT_EQ(count(R"({"must":[{"key":"m.deep","match":{"value":true}}]})"),
            25u);
  EXPECT_EQ(count(R"({"should":[{"has_id":["i1","i2","zz"]}]})"), 2u);
  EXPECT_EQ(count(R"({"must":[{"is_empty":{"key":"absent"}}]})"), 50u);
  EXPECT_EQ(count(R"({"must_not":[{"key":"g","match":{"value":0}}],)"
                  R"("must":[{"must":[{"key":"n","range":{"lt":10}}]}]})"),
            8u);
  EXPECT_EQ(count(R"({"must":[{"key":"absent","match":{"value":1}}]})"), 0u);
}

TEST_P(item_api, filtered_search_returns_the_nearest_matching_items) {
  auto r = post("search", R"({"vector":[0,0],"k":3,"filter":)"
                          R"({"must":[{"key":"g","match":{"value":4}}]}})");
  EXPECT_EQ(ids(r.at("results")),
            (std::vector<std::string>{"i4", "i9", "i14"}));
  // Fewer matches than k: all of them.
  r = post("search", R"({"vector":[0,0],"k":10,"filter":)"
                     R"({"must":[{"has_id":["i40","i7"]}]}})");
  EXPECT_EQ(ids(r.at("results")), (std::vector<std::string>{"i7", "i40"}));
  r = post(
    "search",
    R"({"vector":[1,1],"k":1,"with_metadata":false,"with_vector":true})");
  auto& hit = r.at("results").at(0).as_object();
  EXPECT_EQ(hit.at("id").as_string(), "i1");
  EXPECT_FALSE(hit.contains("metadata"));
  EXPECT_EQ(bj::serialize(hit.at("vector")), "[1,1]");
}

TEST_P(item_api, scroll_pages_through_every_item_once_in_id_order) {
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 20; ++page) {
    auto body = after.empty() ? std::string{R"({"limit":7})"}
                              : R"({"limit":7,"after":")" + after + R"("})";
    auto r = post("scroll", body);
    auto got = ids(r.at("items"));
    seen.insert(seen.end(), got.begin(), got.end());
    if (r.at("next").is_null())
      break;
    after = std::string{r.at("next").as_string()};
    EXPECT_EQ(after, got.back());
  }
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 50u);
  auto filtered = post("scroll",
                       R"({"limit":100,"filter":)"
                       R"({"must":[{"key":"g","match":{"value":1}}]}})");
  EXPECT_EQ(filtered.at("items").as_array().size(), 10u);
  EXPECT_TRUE(filtered.at("next").is_null());
  EXPECT_EQ(post("scroll", "").at("items").as_array().size(), 50u);
}

TEST_P(item_api, delete_by_ids_and_by_filter_and_info_counts_free_slots) {
  auto r = post("delete", R"({"ids":["i0","i1","nope","i1"]})");
  EXPECT_EQ(bj::serialize(r), R"({"deleted":2,"length":48})");
  EXPECT_EQ(post("get", R"({"ids":["i0"]})").at("missing").as_array().size(),
            1u);
  r = post("delete",
           R"({"filter":{"must":[{"key":"g","match":{"value":3}}]}})");
  EXPECT_EQ(bj::serialize(r), R"({"deleted":10,"length":38})");
  EXPECT_EQ(count(""), 38u);
  auto search = post("search", R"({"vector":[3,3],"k":50})");
  for (auto& id : ids(search.at("results")))
    EXPECT_TRUE(id != "i0" && id != "i1" && id != "i3" && id != "i8") << id;
  auto info = bj::parse(call(method::get, "/vectors/index/items").body);
  EXPECT_EQ(info.at("length").as_int64(), 38);
  EXPECT_EQ(info.at("deleted_slots").as_int64(), 12);
  // A re-add fills a freed slot.
  ASSERT_EQ(call(method::post, "/vectors/index/items/add",
                 R"({"items":[{"id":"i0","vector":[0,0]}]})")
              .status,
            200u);
  info = bj::parse(call(method::get, "/vectors/index/items").body);
  EXPECT_EQ(info.at("deleted_slots").as_int64(), 11);
  EXPECT_EQ(ids(post("get", R"({"ids":["i0"]})").at("items")),
            (std::vector<std::string>{"i0"}));
}

TEST_P(item_api, bad_item_requests_are_400_and_change_nothing) {
  EXPECT_TRUE(has(refusal("get", R"({"ids":[]})"), "1..1000 ids"));
  EXPECT_TRUE(has(refusal("get", R"({})"), "ids is required"));
  EXPECT_TRUE(has(refusal("get", R"({"ids":[1]})"), "ids[0] must be a string"));
  EXPECT_TRUE(has(refusal("get", R"({"ids":["a"],"x":1})"), "unknown field"));
  EXPECT_TRUE(has(refusal("get", R"({"ids":["a"],"with_vector":1})"),
                  "with_vector must be true or false"));
  EXPECT_TRUE(has(refusal("delete", R"({})"), "ids or a filter"));
  EXPECT_TRUE(
    has(refusal("delete", R"({"ids":["i1"],"filter":{}})"), "not both"));
  EXPECT_TRUE(has(refusal("delete", R"({"ids":[""]})"), "id is empty"));
  EXPECT_TRUE(has(refusal("count", R"({"filter":{"must":[{"key":"n",)"
                                   R"("range":{}}]}})"),
                  "filter.must[0].range"));
  EXPECT_TRUE(has(refusal("count", R"({"filter":{"must":[{"key":"n",)"
                                   R"("match":{"like":"x"}}]}})"),
                  "filter.must[0].match"));
  EXPECT_TRUE(
    has(refusal("count", R"({"filter":[]})"), "filter must be a JSON object"));
  EXPECT_TRUE(has(refusal("scroll", R"({"limit":0})"), "limit"));
  EXPECT_TRUE(has(refusal("scroll", R"({"limit":1001})"), "limit"));
  EXPECT_TRUE(has(refusal("search", R"({"vector":[1,1],"filter":)"
                                    R"({"must":[{"key":"n","range":)"
                                    R"({"lt":"9"}}]}})"),
                  "must be a number"));
  EXPECT_TRUE(has(refusal("search", R"({"vector":[1,1],"with_vector":"y"})"),
                  "with_vector"));
  EXPECT_EQ(count(""), 50u);
  auto missing = call(method::post, "/vectors/index/nope/count", "{}");
  EXPECT_EQ(missing.status, 404u);
  missing = call(method::post, "/vectors/index/nope/delete",
                 R"({"ids":["a"]})");
  EXPECT_EQ(missing.status, 404u);
}

INSTANTIATE_TEST_SUITE_P(targets, item_api,
                         ::testing::Values("vectord", "lakehouse"),
                         [](const auto& info) { return info.param; });
