#include "http/router.hpp"

#include <gtest/gtest.h>

using lh::http::method;
using lh::http::route_match;

namespace {

lh::http::router sample() {
  lh::http::router r;
  auto nop = [](lh::http::request&, lh::http::respond_fn) {};
  r.add(method::get, "/health", nop);
  r.add(method::put, "/storage/put/{key*}", nop, 1000);
  r.add(method::get, "/vectors/index/{name}", nop);
  r.add(method::del, "/vectors/index/{name}", nop);
  r.add(method::post, "/vectors/index/{name}/add", nop);
  return r;
}

} // namespace

TEST(router, matches_literal_routes) {
  auto m = sample().find(method::get, "/health");
  EXPECT_EQ(m.result, route_match::found);
  EXPECT_EQ(sample().find(method::get, "/healthz").result,
            route_match::not_found);
  EXPECT_EQ(sample().find(method::get, "/").result, route_match::not_found);
}

TEST(router, rest_placeholder_takes_slashes_raw) {
  auto r = sample();
  auto m = r.find(method::put, "/storage/put/a/b%2Fc");
  ASSERT_EQ(m.result, route_match::found);
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].first, "key");
  EXPECT_EQ(m.params[0].second, "a/b%2Fc");
  EXPECT_EQ(m.matched->body_limit, 1000u);
  EXPECT_EQ(r.find(method::put, "/storage/put/").result,
            route_match::not_found);
}

TEST(router, segment_placeholder_stops_at_slash) {
  auto r = sample();
  auto m = r.find(method::post, "/vectors/index/docs/add");
  ASSERT_EQ(m.result, route_match::found);
  EXPECT_EQ(m.params[0].second, "docs");
  EXPECT_EQ(r.find(method::get, "/vectors/index/docs/extra").result,
            route_match::not_found);
  EXPECT_EQ(r.find(method::get, "/vectors/index/").result,
            route_match::not_found);
}

TEST(router, wrong_method_lists_allowed_ones) {
  auto m = sample().find(method::put, "/vectors/index/docs");
  ASSERT_EQ(m.result, route_match::method_not_allowed);
  EXPECT_EQ(m.allowed, (std::vector<method>{method::get, method::del}));
}

TEST(query, finds_raw_parameters) {
  std::string v;
  EXPECT_TRUE(lh::http::query_param("prefix=a%2Fb&x=1", "prefix", v));
  EXPECT_EQ(v, "a%2Fb");
  EXPECT_TRUE(lh::http::query_param("a=1&x", "x", v));
  EXPECT_EQ(v, "");
  EXPECT_FALSE(lh::http::query_param("prefixx=1", "prefix", v));
  EXPECT_FALSE(lh::http::query_param("", "prefix", v));
}
