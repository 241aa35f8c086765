// The /vectors API on the real server (port 0) with real clients, the real
// registry and detached index actors. One suite, two targets: vectord
// (routes at /vectors) and the all-in-one lakehouse (routes at /v1/...,
// with the embedded store beside them).
#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include <boost/json/parse.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "actors/caf_error.hpp"
#include "actors/store_actor.hpp"
#include "actors/store_bridge.hpp"
#include "actors/vector_service.hpp"
#include "http/client.hpp"
#include "http/server.hpp"
#include "http/service_routes.hpp"
#include "http/storage_routes.hpp"
#include "tests/http/raw_socket.hpp"
#include "tests/http/vector_api_fixture.hpp"

using lh::http::method;
using lh::test::has;
using lh::test::vector_json;

namespace {

using vector_api = lh::test::vector_api_fixture;

} // namespace

TEST_P(vector_api, create_list_info_drop) {
  auto r = call(method::post, "/vectors/index",
                R"({"name":"docs","dimension":8,"distance":"cosine","m":8})");
  EXPECT_EQ(r.status, 201u);
  EXPECT_TRUE(r.body.starts_with(
    R"({"name":"docs","dimension":8,"distance":"cosine",)"
    R"("m":8,"ef_construction":200,"ef_search":64,"length":0,)"
    R"("deleted_slots":0,"metadata_index_bytes":)"))
    << r.body;
  create("alpha", 2, "l2");
  EXPECT_EQ(call(method::get, "/vectors/index").body,
            R"({"names":["alpha","docs"],"next":null})");
  auto info = call(method::get, "/vectors/index/docs");
  EXPECT_EQ(info.status, 200u);
  EXPECT_TRUE(has(info.body, R"("length":0)"));
  auto del = call(method::del, "/vectors/index/docs");
  EXPECT_EQ(del.status, 200u);
  EXPECT_EQ(del.body, R"({"deleted":"docs"})");
  EXPECT_EQ(call(method::get, "/vectors/index/docs").status, 404u);
  EXPECT_EQ(call(method::del, "/vectors/index/docs").status, 404u);
  EXPECT_EQ(call(method::get, "/vectors/index").body,
            R"({"names":["alpha"],"next":null})");
}

TEST_P(vector_api, list_pages_through_many_indexes) {
  std::vector<std::string> made;
  for (int i = 0; i < 25; ++i) {
    made.push_back("idx-" + std::string(i < 10 ? "0" : "") + std::to_string(i));
    create(made.back(), 2, "l2");
  }
  // Pages of 10 walk every name once, in order, and the last says so.
  std::vector<std::string> seen;
  std::string after;
  int pages = 0;
  while (true) {
    auto r = call(method::get, "/vectors/index?limit=10"
                                 + (after.empty() ? "" : "&after=" + after));
    ASSERT_EQ(r.status, 200u) << r.body;
    auto page = boost::json::parse(r.body).as_object();
    for (auto& n : page["names"].as_array())
      seen.emplace_back(n.as_string());
    ++pages;
    if (page["next"].is_null())
      break;
    after = std::string{page["next"].as_string()};
    EXPECT_EQ(after, seen.back());
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, made);
  // After a name that is not (or no longer) there: the names above it.
  EXPECT_EQ(call(method::get, "/vectors/index?limit=2&after=idx-225").body,
            R"({"names":["idx-23","idx-24"],"next":null})");
  EXPECT_EQ(call(method::get, "/vectors/index?after=idx-24").body,
            R"({"names":[],"next":null})");
  for (auto bad : {"limit=0", "limit=10001", "limit=x", "limit=", "limit=-1",
                   "after=a%20b"}) {
    auto r = call(method::get, std::string{"/vectors/index?"} + bad);
    EXPECT_EQ(r.status, 400u) << bad;
    EXPECT_TRUE(has(r.body, "invalid_argument")) << r.body;
  }
}

// A change to an index whose queue is full is refused from its head: the
// 429 comes before a byte of its (here never sent) 100 MB body.
TEST_P(vector_api, full_queue_refuses_changes_before_their_body) {
  create("docs", 2, "l2");
  auto idx = table_->find("docs");
  ASSERT_TRUE(idx);
  idx->set_queue(300, true); // as the index actor publishes a full queue
  for (auto verb : {"add", "delete"}) {
    lh::test::raw_socket s{server_->port()};
    s.send("POST " + prefix_ + "/vectors/index/docs/" + verb
           + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
    auto reply = s.until_closed();
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 429")) << verb << ": " << reply;
    EXPECT_TRUE(has(reply, "Retry-After: 1")) << reply;
    EXPECT_TRUE(has(reply, "queue_full")) << reply;
  }
  // A missing index is a 404 from the head alone too.
  lh::test::raw_socket s{server_->port()};
  s.send("POST " + prefix_
         + "/vectors/index/nope/add HTTP/1.1\r\nHost: x\r\n"
           "Content-Length: 1000000\r\n\r\n");
  EXPECT_TRUE(s.until_closed().starts_with("HTTP/1.1 404"));
  idx->set_queue(0, false);
  auto add = call(method::post, "/vectors/index/docs/add",
                  R"({"items":[{"id":"a","vector":[1,2]}]})");
  EXPECT_EQ(add.status, 200u) << add.body;
}

TEST_P(vector_api, create_errors) {
  create("docs", 2, "l2");
  auto dup = call(method::post, "/vectors/index",
                  R"({"name":"docs","dimension":2,"distance":"l2"})");
  EXPECT_EQ(dup.status, 409u);
  EXPECT_TRUE(has(dup.body, "already_exists")) << dup.body;
  for (auto body : {R"({"name":"x","dimension":0,"distance":"l2"})",
                    R"({"name":"x y","dimension":2,"distance":"l2"})",
                    R"({"name":"x","dimension":2,"distance":"manhattan"})",
                    R"({"name":"x","dimension":2,"distance":"l2","m":100})",
                    R"({"name":"x","dimension":2})", "not json", "[]"}) {
    auto r = call(method::post, "/vectors/index", body);
    EXPECT_EQ(r.status, 400u) << body;
    EXPECT_TRUE(has(r.body, "\"error\"")) << r.body;
  }
  EXPECT_EQ(call(method::get, "/vectors/index").body,
            R"({"names":["docs"],"next":null})");
}

TEST_P(vector_api, add_and_search) {
  create("docs", 3, "cosine");
  auto add = call(
    method::post, "/vectors/index/docs/add",
    R"({"items":[{"id":"a","vector":[1,0,0],"metadata":{"t":"x"}},)"
    R"({"id":"b","vector":[0,1,0]},{"id":"c","vector":[0,0,1]}]})");
  EXPECT_EQ(add.status, 200u);
  EXPECT_EQ(add.body, R"({"added":3,"length":3})");
  auto s = call(method::post, "/vectors/index/docs/search",
                R"({"vector":[2,0,0],"k":2})");
  EXPECT_EQ(s.status, 200u);
  EXPECT_TRUE(s.body.starts_with(
    R"({"results":[{"id":"a","distance":0,"metadata":{"t":"x"}},)"))
    << s.body;
  EXPECT_TRUE(
    has(call(method::get, "/vectors/index/docs").body, R"("length":3)"));
}

TEST_P(vector_api, empty_index_search_answers_no_results) {
  create("docs", 2, "l2");
  auto s = call(method::post, "/vectors/index/docs/search",
                R"({"vector":[1,2],"k":3})");
  EXPECT_EQ(s.status, 200u);
  EXPECT_EQ(s.body, R"({"results":[]})");
}

TEST_P(vector_api, bad_adds_are_400_and_change_nothing) {
  create("docs", 2, "cosine");
  ASSERT_EQ(call(method::post, "/vectors/index/docs/add",
                 R"({"items":[{"id":"a","vector":[1,0]}]})")
              .status,
            200u);
  for (auto body :
       {R"({"items":[{"id":"b","vector":[1,0]},{"id":"c","vector":[1]}]})",
        R"({"items":[{"id":"b","vector":[1,0]},{"id":"b","vector":[0,1]}]})",
        R"({"items":[{"id":"b","vector":[0,0]}]})",
        R"({"items":[{"id":"","vector":[1,0]}]})",
        R"({"items":[{"id":"b","vector":[1,"x"]}]})",
        R"({"items":[{"id":"b","vector":[1,0],"metadata":5}]})",
        R"({"items":[{"id":"b","vector":[1,0]}]} trailing)"}) {
    auto r = call(method::post, "/vectors/index/docs/add", body);
    EXPECT_EQ(r.status, 400u) << body;
  }
  auto item1 = call(
    method::post, "/vectors/index/docs/add",
    R"({"items":[{"id":"b","vector":[1,0]},{"id":"c","vector":[1]}]})");
  EXPECT_TRUE(has(item1.body, "item 1")) << item1.body;
  EXPECT_TRUE(
    has(call(method::get, "/vectors/index/docs").body, R"("length":1)"));
}

TEST_P(vector_api, missing_index_and_bad_names) {
  EXPECT_EQ(
    call(method::post, "/vectors/index/nope/add", R"({"items":[]})").status,
    404u);
  EXPECT_EQ(call(method::post, "/vectors/index/nope/search",
                 R"({"vector":[1]})")
              .status,
            404u);
  EXPECT_EQ(call(method::get, "/vectors/index/bad%20name").status, 400u);
  EXPECT_EQ(call(method::put, "/vectors/index/docs").status, 405u);
}

TEST_P(vector_api, bad_searches_are_400) {
  create("docs", 2, "l2");
  for (auto body :
       {R"({"vector":[1]})", R"({"vector":[1,2],"k":0})",
        R"({"vector":[1,2],"k":1001})", R"({"vector":[1,2],"k":"3"})",
        R"({"vector":[1,2],"ef":0})", R"({"k":3})", "{"}) {
    auto r = call(method::post, "/vectors/index/docs/search", body);
    EXPECT_EQ(r.status, 400u) << body;
  }
}

// A batch answers exactly what its searches answer one by one, in order,
// whatever their options; it is refused whole, naming the bad search.
TEST_P(vector_api, batch_search_answers_each_search_in_order) {
  create("docs", 4, "l2");
  std::string items = R"({"items":[)";
  for (int i = 0; i < 200; ++i)
    items += (i ? "," : "") + std::string{R"({"id":"i)"} + std::to_string(i)
             + R"(","vector":)"
             + vector_json({float(i % 7), float(i % 11), float(i % 13),
                            float(i)})
             + R"(,"metadata":{"odd":)" + (i % 2 ? "true" : "false") + "}}";
  ASSERT_EQ(call(method::post, "/vectors/index/docs/add", items + "]}").status,
            200u);
  std::string batch = R"({"searches":[)", expected = R"({"results":[)";
  for (int q = 0; q < 40; ++q) {
    auto search = R"({"vector":)"
                  + vector_json({float(q % 5), float(q % 3), 1, float(q * 5)})
                  + R"(,"k":)" + std::to_string(1 + q % 9)
                  + (q % 4 == 1 ? R"(,"with_metadata":false)" : "")
                  + (q % 4 == 2 ? R"(,"filter":{"must":[{"key":"odd","match":{"value":true}}]})"
                                : "")
                  + (q % 4 == 3 ? R"(,"ef":200,"with_vector":true)" : "") + "}";
    auto one = call(method::post, "/vectors/index/docs/search", search);
    ASSERT_EQ(one.status, 200u) << one.body;
    // {"results":[...]} -> [...]
    auto hits = one.body.substr(11, one.body.size() - 12);
    batch += (q ? "," : "") + search;
    expected += (q ? "," : "") + hits;
  }
  auto r = call(method::post, "/vectors/index/docs/search/batch", batch + "]}");
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.body, expected + "]}");

  auto bad = call(method::post, "/vectors/index/docs/search/batch",
                  R"({"searches":[{"vector":[1,2,3,4]},{"vector":[1,2,3,4]},)"
                  R"({"vector":[1,2,3]}]})");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_TRUE(has(bad.body, "searches[2]")) << bad.body;
  bad = call(method::post, "/vectors/index/docs/search/batch",
             R"({"searches":[{"vector":[1,2,3,4]},{"vector":[1,2,3,4],"k":0}]})");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_TRUE(has(bad.body, "searches[1]: k must be")) << bad.body;
  std::string many = R"({"searches":[)";
  for (int i = 0; i < 1001; ++i)
    many += (i ? "," : "") + std::string{R"({"vector":[1,2,3,4]})"};
  bad = call(method::post, "/vectors/index/docs/search/batch", many + "]}");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_TRUE(has(bad.body, "more than 1000 searches")) << bad.body;
  EXPECT_EQ(call(method::post, "/vectors/index/docs/search/batch",
                 R"({"searches":[]})")
              .status,
            400u);
  EXPECT_EQ(call(method::post, "/vectors/index/nope/search/batch",
                 R"({"searches":[{"vector":[1]}]})")
              .status,
            404u);
}

// 8 clients search while 2 add batches to the same index and another
// creates and drops indexes. Every answer must be well-formed; the loop is
// bounded by count and time.
TEST_P(vector_api, concurrent_searches_adds_and_create_drop) {
  const int dim = 16;
  create("shared", dim, "l2");
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0}, searches{0}, adds{0}, churns{0};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
  auto random_vector = [](std::mt19937& rng) {
    std::normal_distribution<float> d{0, 1};
    std::vector<float> v(dim);
    for (auto& x : v)
      x = d(rng);
    return v;
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      auto c = client();
      std::mt19937 rng(t);
      while (!stop && searches < 20000) {
        auto r = c.send(method::post, prefix_ + "/vectors/index/shared/search",
                        R"({"k":5,"vector":)" + vector_json(random_vector(rng))
                          + "}");
        if (!r || r->status != 200 || !r->body.starts_with("{\"results\":[")
            || !r->body.ends_with("]}"))
          ++failures;
        ++searches;
      }
    });
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&, t] {
      auto c = client();
      std::mt19937 rng(100 + t);
      for (int round = 0; round < 20 && !stop; ++round) {
        std::string body = R"({"items":[)";
        for (int i = 0; i < 100; ++i)
          body += std::string{i ? "," : ""} + R"({"id":"w)" + std::to_string(t)
                  + "-" + std::to_string(round * 100 + i) + R"(","vector":)"
                  + vector_json(random_vector(rng)) + "}";
        body += "]}";
        auto r = c.send(method::post, prefix_ + "/vectors/index/shared/add",
                        body);
        if (!r || r->status != 200 || !has(r->body, "\"added\":100"))
          ++failures;
        ++adds;
      }
    });
  threads.emplace_back([&] {
    auto c = client();
    for (int i = 0; i < 50 && !stop; ++i) {
      auto name = "tmp" + std::to_string(i % 3);
      auto r = c.send(method::post, prefix_ + "/vectors/index",
                      R"({"name":")" + name
                        + R"(","dimension":4,"distance":"dot"})");
      auto d = c.send(method::del, prefix_ + "/vectors/index/" + name);
      if (!r || r->status != 201 || !d || d->status != 200)
        ++failures;
      ++churns;
    }
  });
  while (std::chrono::steady_clock::now() < deadline && adds < 40)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  stop = true;
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(searches.load(), 100);
  EXPECT_GT(adds.load(), 0);
  EXPECT_GT(churns.load(), 0);
  auto info = call(method::get, "/vectors/index/shared");
  EXPECT_TRUE(has(info.body, "\"length\":" + std::to_string(adds * 100)))
    << info.body;
}

TEST_P(vector_api, storage_routes_sit_beside_vectors_in_the_all_in_one) {
  auto put = call(method::put, "/storage/put/notes/a", "hello");
  if (!all_in_one()) {
    EXPECT_EQ(put.status, 404u); // vectord serves no storage
    return;
  }
  EXPECT_EQ(put.status, 200u);
  EXPECT_EQ(call(method::get, "/storage/get/notes/a").body, "hello");
  EXPECT_EQ(call(method::get, "/storage/list?prefix=notes/").body,
            R"({"keys":["notes/a"]})");
}

INSTANTIATE_TEST_SUITE_P(targets, vector_api,
                         ::testing::Values("vectord", "lakehouse"),
                         [](const auto& info) { return info.param; });

namespace {

// Valid JSON text, valid UTF-8 included (simdjson checks both).
bool is_valid_json(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element ignored;
  return parser.parse(body).get(ignored) == simdjson::SUCCESS;
}

} // namespace

TEST_P(vector_api, every_refused_name_and_key_form_is_refused_through_http) {
  create("docs", 2, "l2");
  // Index names in the path: each form is a 400 (or a 404 where the path
  // itself no longer names an index route), never an index of that name.
  for (const std::string& raw : std::vector<std::string>{
         "..", "%2e%2e", "%2f..", "a%5Cb", "a\\b", "a%00b", "a%01b", "%FF%FE",
         "%C0%AE%C0%AE", std::string(300, 'n')}) {
    auto r = call(method::post, "/vectors/index/" + raw + "/add",
                  R"({"items":[{"id":"x","vector":[1,2]}]})");
    EXPECT_TRUE(r.status == 400u || r.status == 404u)
      << raw << ": " << r.status;
    EXPECT_TRUE(is_valid_json(r.body)) << raw << ": " << r.body;
  }
  for (std::string name : {"..", "a/b", "a\\\\b", "caf\\u00e9", ""}) {
    auto r = call(method::post, "/vectors/index",
                  R"({"name":")" + name
                    + R"(","dimension":2,"distance":"l2"})");
    EXPECT_EQ(r.status, 400u) << name << ": " << r.body;
  }
  EXPECT_EQ(call(method::get, "/vectors/index").body,
            R"({"names":["docs"],"next":null})");
  if (!all_in_one())
    return;
  // Storage keys on the public route (lakehouse serves /v1/storage).
  for (const std::string& raw : std::vector<std::string>{
         "a/%2e%2e/b", "..", "a/%2f../b", "a%5C..%5Cb", "a%00b", "a%0ab", "%FF",
         "%C0%AE", std::string(1025, 'k')}) {
    auto r = call(method::put, "/storage/put/" + raw, "x");
    EXPECT_EQ(r.status, 400u) << raw << ": " << r.body;
    EXPECT_TRUE(is_valid_json(r.body)) << raw << ": " << r.body;
  }
  EXPECT_EQ(call(method::get, "/storage/list").body, R"({"keys":[]})");
}
