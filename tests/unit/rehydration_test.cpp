// Rehydration's pure logic: bounded parallelism, progress, and what blocks
// an index name while loading or after a failed load; and /ready built
// from it.
#include "index/rehydration.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "http/vector_routes.hpp"
#include "index/lhv1.hpp"

namespace {

std::vector<std::string> keys_of(std::initializer_list<const char*> names) {
  std::vector<std::string> keys;
  for (auto n : names)
    keys.push_back(lh::lhv1::key_of(n));
  return keys;
}

} // namespace

TEST(rehydration, everything_is_blocked_until_the_list_is_in) {
  lh::rehydration r{2};
  auto why = r.progress().blocks("anything");
  ASSERT_TRUE(why);
  EXPECT_EQ(why->code, lh::ec::not_ready);
  r.list_failed("store is down");
  why = r.progress().blocks("anything");
  ASSERT_TRUE(why);
  EXPECT_NE(why->message.find("store is down"), std::string::npos);
  EXPECT_FALSE(r.progress().done());
  r.listed({});
  EXPECT_TRUE(r.progress().done());
  EXPECT_FALSE(r.progress().blocks("anything"));
  EXPECT_FALSE(r.next());
}

TEST(rehydration, loads_at_most_parallelism_at_a_time) {
  lh::rehydration r{2};
  r.listed(keys_of({"a", "b", "c"}));
  EXPECT_EQ(r.progress().total, 3u);
  EXPECT_EQ(r.next(), "a");
  EXPECT_EQ(r.next(), "b");
  EXPECT_FALSE(r.next()); // two in flight
  r.loaded("a");
  EXPECT_EQ(r.next(), "c");
  EXPECT_FALSE(r.next());
  r.loaded("b");
  r.failed("c", "corrupt");
  EXPECT_FALSE(r.next());
  EXPECT_TRUE(r.progress().done());
  EXPECT_EQ(r.progress().loaded, 2u);
  EXPECT_EQ(r.progress().failed.at("c"), "corrupt");
}

TEST(rehydration, a_loading_name_is_not_ready_and_a_failed_one_unavailable) {
  lh::rehydration r{1};
  r.listed(keys_of({"a", "b"}));
  auto a = r.next();
  ASSERT_TRUE(a);
  auto why = r.progress().blocks("b");
  ASSERT_TRUE(why);
  EXPECT_EQ(why->code, lh::ec::not_ready);
  EXPECT_NE(why->message.find("0/2"), std::string::npos) << why->message;
  EXPECT_FALSE(r.progress().blocks("new-name"));
  r.failed("a", "graph checksum mismatch");
  why = r.progress().blocks("a");
  ASSERT_TRUE(why);
  EXPECT_EQ(why->code, lh::ec::unavailable);
  EXPECT_NE(why->message.find("checksum"), std::string::npos);
  r.forget("a"); // dropped by a user: the name is free
  EXPECT_FALSE(r.progress().blocks("a"));
}

TEST(rehydration, keys_that_name_no_index_are_failures_not_loads) {
  lh::rehydration r{4};
  r.listed({"_vectors/ok.lhv1", "_vectors/odd.txt", "_vectors/bad name.lhv1",
            "_vectors/ok.lhv1"});
  EXPECT_EQ(r.progress().total, 1u);
  EXPECT_EQ(r.progress().failed.size(), 2u);
  EXPECT_EQ(r.next(), "ok");
  EXPECT_FALSE(r.next());
  // Late answers for names never started change nothing.
  r.loaded("never-listed");
  EXPECT_EQ(r.progress().loaded, 0u);
}

TEST(lhv1_keys, name_of_inverts_key_of) {
  EXPECT_EQ(lh::lhv1::name_of(lh::lhv1::key_of("docs.v2")), "docs.v2");
  EXPECT_FALSE(lh::lhv1::name_of("_vectors/.lhv1"));
  EXPECT_FALSE(lh::lhv1::name_of("other/docs.lhv1"));
  EXPECT_FALSE(lh::lhv1::name_of("_vectors/docs.lhv2"));
}

TEST(vector_readiness, is_503_with_progress_until_done_then_names_failures) {
  lh::index_status status{true};
  auto r = lh::http::vector_readiness(status);
  EXPECT_FALSE(r.ready);
  lh::rehydration loading{2};
  loading.listed(keys_of({"a", "b", "c"}));
  ASSERT_TRUE(loading.next());
  loading.loaded("a");
  status.publish(loading.progress());
  r = lh::http::vector_readiness(status);
  EXPECT_FALSE(r.ready);
  EXPECT_NE(boost::json::serialize(r.detail).find(R"("loaded":1,"total":3)"),
            std::string::npos)
    << boost::json::serialize(r.detail);
  ASSERT_TRUE(loading.next());
  ASSERT_TRUE(loading.next());
  loading.failed("b", "LHV1 blob: graph checksum mismatch");
  loading.failed("c", "did not load within 100 ms");
  status.publish(loading.progress());
  r = lh::http::vector_readiness(status);
  EXPECT_TRUE(r.ready); // failed loads are reported, the rest is served
  status.publish_save_failures({{"d", "store is down"}});
  r = lh::http::vector_readiness(status);
  EXPECT_FALSE(r.ready); // changes to "d" would not survive a restart
  EXPECT_NE(boost::json::serialize(r.detail).find(
              R"("failed":{"b":"LHV1 blob: graph checksum mismatch",)"
              R"("c":"did not load within 100 ms"})"),
            std::string::npos)
    << boost::json::serialize(r.detail);
  EXPECT_NE(boost::json::serialize(r.detail).find(
              R"("save_failures":{"d":"store is down"})"),
            std::string::npos)
    << boost::json::serialize(r.detail);
  // An ephemeral service is ready at once and says so.
  lh::index_status ephemeral{false};
  r = lh::http::vector_readiness(ephemeral);
  EXPECT_TRUE(r.ready);
  EXPECT_NE(
    boost::json::serialize(r.detail).find(R"("persistence":"ephemeral")"),
    std::string::npos);
}

TEST(vector_routes, listing_indexes_is_503_until_the_store_is_listed) {
  auto table = std::make_shared<lh::index_table>();
  auto status = std::make_shared<lh::index_status>(true);
  lh::http::router routes;
  lh::http::add_vector_routes(routes, table, status, nullptr, "");
  auto list = [&] {
    auto m = routes.find(lh::http::method::get, "/vectors/index");
    EXPECT_EQ(m.result, lh::http::route_match::found);
    lh::http::request req;
    lh::http::response answer;
    m.matched->fn(req, [&](lh::http::response r) { answer = std::move(r); });
    return answer;
  };
  auto before = list();
  EXPECT_EQ(before.status, 503u);
  EXPECT_NE(before.body.find("still being listed"), std::string::npos);
  lh::rehydration loading{1};
  loading.listed({});
  status->publish(loading.progress());
  auto after = list();
  EXPECT_EQ(after.status, 200u);
  EXPECT_EQ(after.body, R"({"names":[],"next":null})");
}
