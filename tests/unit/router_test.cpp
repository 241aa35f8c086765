#include "http/router.hpp"

#include <gtest/gtest.h>

#include "config/request_limits.hpp"
#include "http/vector_routes.hpp"
#include "index/index_status.hpp"
#include "index/index_table.hpp"

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

// Body limits come from the configured limits when routes are added: the
// vector API's add takes max_add_body_bytes, every other body
// max_body_bytes (past them the session answers 413 unread).
TEST(router, body_limits_come_from_the_configured_limits) {
  lh::request_limits l;
  l.max_body_bytes = 8192;
  l.max_add_body_bytes = 65536;
  lh::scoped_request_limits scoped{l};
  lh::http::router r;
  lh::http::add_vector_routes(r, std::make_shared<lh::index_table>(),
                              std::make_shared<lh::index_status>(false),
                              nullptr, "/v1");
  auto limit = [&](method verb, std::string_view path) {
    auto m = r.find(verb, path);
    EXPECT_EQ(m.result, route_match::found) << path;
    return m.matched ? m.matched->body_limit : 0;
  };
  EXPECT_EQ(limit(method::post, "/v1/vectors/index/a/add"), 65536u);
  EXPECT_EQ(limit(method::post, "/v1/vectors/index/a/search"), 8192u);
  EXPECT_EQ(limit(method::post, "/v1/vectors/index/a/search/batch"), 65536u);
  EXPECT_EQ(limit(method::post, "/v1/vectors/index/a/delete"), 8192u);
  EXPECT_EQ(limit(method::post, "/v1/vectors/index"), 8192u);
  // A route with its own limit keeps it.
  auto nop = [](lh::http::request&, lh::http::respond_fn) {};
  r.add(method::put, "/own", nop, 100);
  EXPECT_EQ(limit(method::put, "/own"), 100u);
}
