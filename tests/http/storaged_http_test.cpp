// storaged's routes on the real server (port 0) with a real client, the
// real store actor and RocksDB underneath.
#include <filesystem>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <gtest/gtest.h>

#include "actors/caf_error.hpp"
#include "actors/store_actor.hpp"
#include "actors/store_bridge.hpp"
#include "http/client.hpp"
#include "http/health_routes.hpp"
#include "http/server.hpp"
#include "http/storage_routes.hpp"
#include "tests/http/http_test_support.hpp"

using lh::http::method;
using lh::test::has;

namespace {

constexpr uint64_t max_value = 8 << 20;

class storaged_http : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path()
           / ("lh-http-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    auto store = lh::rocks_store::open(
      {.path = dir_.string(), .max_value_bytes = max_value, .sync = false});
    ASSERT_TRUE(store);
    store_ = lh::spawn_rocks_store(
      sys_, std::shared_ptr<lh::rocks_store>{std::move(*store)}, 2);
    start(store_, std::chrono::seconds{10});
  }

  void start(lh::store_actor handle, std::chrono::milliseconds timeout) {
    lh::http::router routes;
    lh::http::add_health_routes(routes, "storaged", [] {
      return lh::http::readiness{true, {}};
    });
    auto bridge = lh::make_store_bridge(sys_, handle, timeout);
    lh::http::add_storage_routes(routes, bridge, max_value);
    lh::http::add_internal_storage_routes(routes, bridge, max_value);
    server_ = std::make_unique<lh::http::server>(
      std::move(routes), lh::http::server_options{.threads = 2});
    auto ok = server_->start();
    ASSERT_TRUE(ok) << ok.error().message;
    client_.emplace("127.0.0.1", server_->port());
  }

  void TearDown() override {
    server_.reset();
    caf::anon_send_exit(store_, caf::exit_reason::user_shutdown);
    store_ = nullptr;
    std::filesystem::remove_all(dir_);
  }

  lh::http::response call(method verb, const std::string& target,
                          std::string body = {}) {
    return lh::test::call(*client_, verb, target, std::move(body));
  }

  caf::actor_system sys_{lh::test::http_test_config()};
  lh::store_actor store_;
  std::filesystem::path dir_;
  std::unique_ptr<lh::http::server> server_;
  std::optional<lh::http::blocking_client> client_;
};

} // namespace

TEST_F(storaged_http, health_and_ready_answer_200) {
  auto h = call(method::get, "/health");
  EXPECT_EQ(h.status, 200u);
  EXPECT_TRUE(has(h.body, "\"status\":\"ok\"")) << h.body;
  EXPECT_EQ(call(method::get, "/ready").status, 200u);
}

TEST_F(storaged_http, put_get_delete_round_trip) {
  auto put = call(method::put, "/storage/put/docs/a.bin", "hello");
  EXPECT_EQ(put.status, 200u);
  EXPECT_EQ(put.body, R"({"key":"docs/a.bin","bytes":5})");
  auto get = call(method::get, "/storage/get/docs/a.bin");
  EXPECT_EQ(get.status, 200u);
  EXPECT_EQ(get.body, "hello");
  EXPECT_EQ(get.content_type, "application/octet-stream");
  auto del = call(method::del, "/storage/delete/docs/a.bin");
  EXPECT_EQ(del.status, 200u);
  auto gone = call(method::get, "/storage/get/docs/a.bin");
  EXPECT_EQ(gone.status, 404u);
  EXPECT_TRUE(has(gone.body, "\"code\":\"not_found\"")) << gone.body;
  EXPECT_EQ(call(method::del, "/storage/delete/docs/a.bin").status, 404u);
}

TEST_F(storaged_http, percent_2f_round_trips_as_slash) {
  ASSERT_EQ(call(method::put, "/storage/put/notes%2Fdocs.txt", "x").status,
            200u);
  EXPECT_EQ(call(method::get, "/storage/get/notes/docs.txt").body, "x");
  EXPECT_EQ(call(method::get, "/storage/list?prefix=notes%2F").body,
            R"({"keys":["notes/docs.txt"]})");
}

TEST_F(storaged_http, the_public_routes_never_reach_the_vector_services_objects) {
  const std::string internal = lh::http::internal_storage_base;
  ASSERT_EQ(call(method::put, internal + "/put/_vectors/docs.lhv1", "blob")
              .status,
            200u);
  ASSERT_EQ(call(method::put, internal + "/put/_wal/docs/1", "rec").status,
            200u);
  ASSERT_EQ(call(method::put, "/storage/put/_notes", "mine").status, 200u);
  // Every spelling of a reserved key, on every public route: 403, and
  // nothing changes.
  for (auto key : {"_vectors/docs.lhv1", "_vectors%2Fdocs.lhv1",
                   "%5Fvectors/docs.lhv1", "_wal/docs/1", "_wal%2Fdocs%2F1"}) {
    auto k = std::string{key};
    for (auto [verb, route] : {std::pair{method::put, "/storage/put/"},
                               std::pair{method::get, "/storage/get/"},
                               std::pair{method::del, "/storage/delete/"}}) {
      auto r = call(verb, route + k, "crafted");
      EXPECT_EQ(r.status, 403u) << route << k;
      EXPECT_TRUE(has(r.body, "\"code\":\"forbidden\"")) << r.body;
    }
  }
  EXPECT_EQ(call(method::get, "/storage/list?prefix=_vectors/").status, 403u);
  EXPECT_EQ(call(method::get, "/storage/list?prefix=_wal%2Fdocs").status,
            403u);
  // A list that could name them leaves them out; the rest is listed.
  EXPECT_EQ(call(method::get, "/storage/list").body,
            R"({"keys":["_notes"]})");
  EXPECT_EQ(call(method::get, "/storage/list?prefix=_").body,
            R"({"keys":["_notes"]})");
  // Ordered writes are the service's own.
  EXPECT_EQ(call(method::put, "/storage/put/x?generation=5", "v").status, 403u);
  EXPECT_EQ(call(method::del, "/storage/delete/_notes?generation=5").status,
            403u);
  EXPECT_EQ(call(method::post, "/storage/append", "").status, 404u);
  EXPECT_EQ(call(method::post, "/storage/trim?from=_wal/&to=_wal0").status,
            404u);
  // The service's objects are as they were.
  EXPECT_EQ(call(method::get, internal + "/get/_vectors/docs.lhv1").body,
            "blob");
  EXPECT_EQ(call(method::get, internal + "/list?prefix=_wal/").body,
            R"({"keys":["_wal/docs/1"]})");
}

TEST_F(storaged_http, list_is_sorted_and_filtered) {
  for (auto k : {"b", "a/2", "a/1", "c"})
    ASSERT_EQ(call(method::put, std::string{"/storage/put/"} + k, "v").status,
              200u);
  EXPECT_EQ(call(method::get, "/storage/list?prefix=a/").body,
            R"({"keys":["a/1","a/2"]})");
  EXPECT_EQ(call(method::get, "/storage/list").body,
            R"({"keys":["a/1","a/2","b","c"]})");
  EXPECT_EQ(call(method::get, "/storage/list?prefix=%00").status, 400u);
}

TEST_F(storaged_http, bad_keys_are_refused_and_nothing_is_written) {
  for (auto raw : {"a/%2e%2e/b", "..", "a%00b", "%FF", "a%0a", "%zz"}) {
    auto r = call(method::put, std::string{"/storage/put/"} + raw, "x");
    EXPECT_EQ(r.status, 400u) << raw;
    EXPECT_TRUE(has(r.body, "\"code\":\"invalid_argument\"")) << r.body;
  }
  auto long_key = std::string(1025, 'k');
  EXPECT_EQ(call(method::put, "/storage/put/" + long_key, "x").status, 400u);
  EXPECT_EQ(call(method::get, "/storage/list").body, R"({"keys":[]})");
}

TEST_F(storaged_http, unknown_routes_and_methods) {
  EXPECT_EQ(call(method::get, "/nope").status, 404u);
  EXPECT_EQ(call(method::get, "/storage/put/a").status, 405u);
  auto r = call(method::post, "/storage/get/a", "x");
  EXPECT_EQ(r.status, 405u);
  bool allow = false;
  for (auto& [name, value] : r.headers)
    allow |= name == "Allow" && value == "GET";
  EXPECT_TRUE(allow);
}

TEST_F(storaged_http, body_over_the_limit_is_413_and_not_stored) {
  auto r = call(method::put, "/storage/put/big",
                std::string(max_value + 1, 'x'));
  EXPECT_EQ(r.status, 413u);
  EXPECT_TRUE(has(r.body, "payload_too_large")) << r.body;
  EXPECT_EQ(call(method::get, "/storage/get/big").status, 404u);
  // A small body on another route is limited to 1 MiB.
  EXPECT_EQ(call(method::get, "/health").status, 200u);
}

TEST_F(storaged_http, large_value_round_trips) {
  std::string value(max_value, '\0');
  for (size_t i = 0; i < value.size(); ++i)
    value[i] = static_cast<char>(i * 7 + (i >> 12));
  ASSERT_EQ(call(method::put, "/storage/put/large", value).status, 200u);
  auto back = call(method::get, "/storage/get/large");
  EXPECT_EQ(back.body.size(), value.size());
  EXPECT_TRUE(back.body == value);
}

TEST_F(storaged_http, keep_alive_reuses_one_connection) {
  for (int i = 0; i < 50; ++i)
    ASSERT_EQ(call(method::get, "/health").status, 200u);
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(
      call(method::put, "/storage/put/k" + std::to_string(i), "v").status,
      200u);
  EXPECT_EQ(client_->connections_opened(), 1);
}

namespace {

// A store that takes requests and never answers them.
struct silent_state {
  std::vector<caf::response_promise> held;
};

lh::store_actor::behavior_type
silent_store(lh::store_actor::stateful_pointer<silent_state> self,
             int /* CAF 0.17.6 needs a spawn argument, see bridge.hpp */) {
  auto hold = [self]() {
    self->state.held.push_back(self->make_response_promise());
  };
  return {
    [=](lh::put_atom, const std::string&,
        const lh::bytes_message&) -> caf::result<lh::ok_atom> {
      hold();
      return caf::delegated<lh::ok_atom>{};
    },
    [=](lh::get_atom, const std::string&) -> caf::result<lh::bytes_message> {
      hold();
      return caf::delegated<lh::bytes_message>{};
    },
    [=](lh::delete_atom, const std::string&) -> caf::result<lh::ok_atom> {
      hold();
      return caf::delegated<lh::ok_atom>{};
    },
    [=](lh::list_atom,
        const std::string&) -> caf::result<std::vector<std::string>> {
      hold();
      return caf::delegated<std::vector<std::string>>{};
    },
    [=](lh::put_atom, const std::string&, const lh::bytes_message&,
        uint64_t) -> caf::result<lh::ok_atom> {
      hold();
      return caf::delegated<lh::ok_atom>{};
    },
    [=](lh::delete_atom, const std::string&,
        uint64_t) -> caf::result<lh::ok_atom> {
      hold();
      return caf::delegated<lh::ok_atom>{};
    },
    [=](lh::append_atom, const lh::group_message&) -> caf::result<lh::ok_atom> {
      hold();
      return caf::delegated<lh::ok_atom>{};
    },
    [=](lh::trim_atom, const std::string&,
        const std::string&) -> caf::result<lh::ok_atom> {
      hold();
      return caf::delegated<lh::ok_atom>{};
    },
  };
}

} // namespace

TEST_F(storaged_http, slow_store_gives_503_not_a_hung_connection) {
  server_.reset();
  auto silent = sys_.spawn(silent_store, 0);
  start(silent, std::chrono::milliseconds{200});
  auto r = call(method::get, "/storage/get/a");
  EXPECT_EQ(r.status, 503u);
  EXPECT_TRUE(has(r.body, "\"code\":\"timeout\"")) << r.body;
  // The connection still works afterwards.
  EXPECT_EQ(call(method::get, "/health").status, 200u);
  server_.reset();
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
}
