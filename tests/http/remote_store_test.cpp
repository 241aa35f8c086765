// The store interface over HTTP: a remote store pool talking to a real
// storaged (server + RocksDB store actor) on port 0.
#include "http/remote_store_actor.hpp"

#include <filesystem>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include "actors/store_actor.hpp"
#include "actors/store_bridge.hpp"
#include "http/server.hpp"
#include "http/storage_routes.hpp"
#include "tests/http/http_test_support.hpp"

namespace {

class remote_store : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path()
           / ("lh-remote-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    auto store = lh::rocks_store::open({.path = dir_.string(), .sync = false});
    ASSERT_TRUE(store);
    local_ = lh::spawn_rocks_store(
      sys_, std::shared_ptr<lh::rocks_store>{std::move(*store)}, 2);
    start(lh::auth_settings{}, "");
  }

  // storaged as its main starts it (public and internal routes, keys from
  // `auth`), and the remote store presenting `service_key`.
  void start(const lh::auth_settings& auth, const std::string& service_key) {
    if (remote_)
      caf::anon_send_exit(remote_, caf::exit_reason::user_shutdown);
    storaged_.reset();
    lh::http::router routes;
    auto bridge = lh::make_store_bridge(sys_, local_, std::chrono::seconds{10});
    lh::http::add_storage_routes(routes, bridge, 64 << 20);
    lh::http::add_internal_storage_routes(routes, bridge, 64 << 20);
    storaged_ = std::make_unique<lh::http::server>(
      std::move(routes),
      lh::http::server_options{.threads = 1, .keys = lh::http::key_check{auth}});
    ASSERT_TRUE(storaged_->start());
    remote_ = lh::spawn_remote_store(sys_, "127.0.0.1", storaged_->port(),
                                     std::chrono::seconds{5}, 2, service_key);
  }

  void TearDown() override {
    caf::anon_send_exit(remote_, caf::exit_reason::user_shutdown);
    remote_ = nullptr;
    storaged_.reset();
    caf::anon_send_exit(local_, caf::exit_reason::user_shutdown);
    local_ = nullptr;
    std::filesystem::remove_all(dir_);
  }

  template <class T, class... Ts>
  lh::expected<T> ask(Ts&&... xs) {
    caf::scoped_actor self{sys_};
    std::optional<lh::expected<T>> out;
    self->request(remote_, std::chrono::seconds{10}, std::forward<Ts>(xs)...)
      .receive([&](T& v) { out.emplace(std::move(v)); },
               [&](caf::error& e) { out.emplace(lh::from_caf(e)); });
    return std::move(*out);
  }

  lh::expected<lh::ok_atom> put(const std::string& key, std::string value) {
    return ask<lh::ok_atom>(lh::put_atom::value, key,
                            lh::bytes_message::wrap(std::move(value)));
  }
  lh::expected<std::string> get(const std::string& key) {
    auto r = ask<lh::bytes_message>(lh::get_atom::value, key);
    if (!r)
      return r.error();
    return r->take();
  }

  caf::actor_system sys_{lh::test::http_test_config()};
  std::filesystem::path dir_;
  lh::store_actor local_, remote_;
  std::unique_ptr<lh::http::server> storaged_;
};

} // namespace

TEST_F(remote_store, put_get_delete_round_trip) {
  std::string blob(3 << 20, '\0');
  for (size_t i = 0; i < blob.size(); ++i)
    blob[i] = static_cast<char>(i * 31);
  ASSERT_TRUE(put("_vectors/docs.lhv1", blob));
  auto back = get("_vectors/docs.lhv1");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(*back == blob);
  ASSERT_TRUE(ask<lh::ok_atom>(lh::delete_atom::value,
                               std::string{"_vectors/docs.lhv1"}));
  EXPECT_EQ(get("_vectors/docs.lhv1").error().code, lh::ec::not_found);
}

TEST_F(remote_store, keys_with_reserved_characters_round_trip) {
  std::string key = "a b/100%/caf\xc3\xa9?x=1#y";
  ASSERT_TRUE(put(key, "v"));
  EXPECT_EQ(*get(key), "v");
  auto keys = ask<std::vector<std::string>>(lh::list_atom::value,
                                            std::string{"a b/"});
  ASSERT_TRUE(keys);
  EXPECT_EQ(*keys, std::vector<std::string>{key});
}

TEST_F(remote_store, missing_key_is_the_not_found_code) {
  auto r = get("nope");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, lh::ec::not_found);
  auto d = ask<lh::ok_atom>(lh::delete_atom::value, std::string{"nope"});
  EXPECT_EQ(d.error().code, lh::ec::not_found);
}

TEST_F(remote_store, bad_key_is_invalid_argument) {
  auto r = put("a/../b", "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, lh::ec::invalid_argument);
}

TEST_F(remote_store, storaged_down_is_unavailable) {
  storaged_.reset();
  auto r = get("a");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, lh::ec::unavailable);
}

TEST(error_from_storaged, decides_by_status_and_keeps_the_message) {
  auto e = lh::error_from_storaged(404, R"({"error":"no object","code":"x"})");
  EXPECT_EQ(e.code, lh::ec::not_found);
  EXPECT_NE(e.message.find("no object"), std::string::npos);
  EXPECT_EQ(lh::error_from_storaged(400, "").code, lh::ec::invalid_argument);
  EXPECT_EQ(lh::error_from_storaged(413, "").code, lh::ec::payload_too_large);
  EXPECT_EQ(lh::error_from_storaged(503, "").code, lh::ec::unavailable);
  EXPECT_EQ(lh::error_from_storaged(500, "not json").code,
            lh::ec::storage_failure);
}

TEST_F(remote_store, with_api_keys_on_it_reaches_the_internal_routes_with_the_service_key_only) {
  lh::auth_settings auth;
  auth.api_keys = {"client-key-0123456789"};
  auth.service_key = "service-key-0123456789";
  start(auth, auth.service_key);
  ASSERT_TRUE(put("_vectors/docs.lhv1", "blob")) << "the service key works";
  EXPECT_EQ(*get("_vectors/docs.lhv1"), "blob");
  // A client's full key is not the service's: 403 on the internal routes.
  start(auth, auth.api_keys[0]);
  auto r = put("_vectors/docs.lhv1", "crafted");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("403"), std::string::npos)
    << r.error().message;
  start(auth, ""); // and no key at all: 401
  r = put("_vectors/docs.lhv1", "crafted");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("401"), std::string::npos)
    << r.error().message;
  start(auth, auth.service_key);
  EXPECT_EQ(*get("_vectors/docs.lhv1"), "blob");
}
