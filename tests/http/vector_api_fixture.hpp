// The /vectors API test fixture: the real server (port 0) with the real
// registry and detached index actors, as vectord (routes at /vectors) or
// the all-in-one lakehouse (routes at /v1/..., embedded store beside).
// Used by tests/http/vector_api_test.cpp and item_api_test.cpp.
#pragma once

#include <filesystem>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include "actors/caf_error.hpp"
#include "actors/store_actor.hpp"
#include "actors/store_bridge.hpp"
#include "actors/vector_service.hpp"
#include "http/client.hpp"
#include "http/server.hpp"
#include "http/service_routes.hpp"
#include "http/storage_routes.hpp"
#include "tests/http/http_test_support.hpp"

namespace lh::test {

using lh::http::method;

inline std::string vector_json(const std::vector<float>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i)
    out += (i ? "," : "") + std::to_string(v[i]);
  return out + "]";
}

class vector_api_fixture : public ::testing::TestWithParam<std::string> {
protected:
  bool all_in_one() const { return GetParam() == "lakehouse"; }

  void SetUp() override {
    prefix_ = all_in_one() ? "/v1" : "";
    lh::http::router routes;
    // vectord here is ephemeral; lakehouse saves into its embedded store.
    if (all_in_one()) {
      dir_ = std::filesystem::temp_directory_path()
             / ("lh-api-" + std::to_string(::getpid()));
      std::filesystem::remove_all(dir_);
      auto store = lh::rocks_store::open(
        {.path = dir_.string(), .sync = false});
      ASSERT_TRUE(store);
      store_ = lh::spawn_rocks_store(
        sys_, std::shared_ptr<lh::rocks_store>{std::move(*store)}, 2);
      lh::http::add_storage_routes(
        routes, lh::make_store_bridge(sys_, store_, std::chrono::seconds{30}),
        1 << 20, prefix_);
    }
    svc_ = lh::start_vector_service(sys_, store_, lh::vectord_settings{});
    table_ = svc_.table;
    lh::http::add_vector_service_routes(routes, sys_, svc_, "vectord", prefix_);
    server_ = std::make_unique<lh::http::server>(
      std::move(routes), lh::http::server_options{.threads = 2});
    ASSERT_TRUE(server_->start());
    main_.emplace(client());
    // The lakehouse lists its (empty) store first: wait for /ready.
    auto ready = [&] {
      return lh::test::call(*main_, method::get, "/ready").status == 200;
    };
    for (int i = 0; i < 1000 && !ready(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    ASSERT_TRUE(ready());
  }

  void TearDown() override {
    server_.reset();
    lh::stop_vector_service(sys_, svc_, std::chrono::seconds{30});
    svc_ = {};
    if (store_) {
      caf::anon_send_exit(store_, caf::exit_reason::user_shutdown);
      store_ = nullptr;
      std::filesystem::remove_all(dir_);
    }
  }

  lh::http::blocking_client client() {
    return lh::http::blocking_client{"127.0.0.1", server_->port()};
  }

  lh::http::response call(method verb, const std::string& target,
                          std::string body = {}) {
    return lh::test::call(*main_, verb, prefix_ + target, std::move(body));
  }

  void create(const std::string& name, int dim, const std::string& distance) {
    auto r = call(method::post, "/vectors/index",
                  R"({"name":")" + name + R"(","dimension":)"
                    + std::to_string(dim) + R"(,"distance":")" + distance
                    + R"("})");
    ASSERT_EQ(r.status, 201u) << r.body;
  }

  caf::actor_system sys_{lh::test::http_test_config()};
  lh::vector_service svc_;
  std::shared_ptr<lh::index_table> table_;
  std::unique_ptr<lh::http::server> server_;
  std::optional<lh::http::blocking_client> main_;
  std::string prefix_; // "" for vectord, "/v1" for lakehouse
  lh::store_actor store_;
  std::filesystem::path dir_;
};

} // namespace lh::test
