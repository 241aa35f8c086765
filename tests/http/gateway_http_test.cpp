// The gateway on the real server with a real client, in front of real
// upstream servers (a vectord-like and a storaged-like router).
#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "http/error_response.hpp"
#include "http/gateway_routes.hpp"
#include "http/server.hpp"
#include "http/upstream_health.hpp"
#include "tests/http/http_test_support.hpp"

using lh::http::method;
using lh::test::has;

namespace {

// An upstream that echoes what it got, answers slowly on /vectors/slow and
// never on /storage/never, and adds a hop-by-hop header to every answer.
struct fake_upstream {
  explicit fake_upstream(uint16_t port = 0) {
    lh::http::router r;
    for (auto verb : {method::get, method::post, method::put, method::del})
      r.add(verb, "/{rest*}",
            [this](lh::http::request& req, lh::http::respond_fn respond) {
              ++requests;
              if (req.path == "/storage/never") {
                std::lock_guard guard{mtx};
                held.push_back(std::move(respond));
                return;
              }
              lh::http::response res;
              res.status = req.path == "/vectors/missing" ? 404 : 200;
              res.content_type = "application/json";
              res.body = "{\"path\":\"" + req.path + "\",\"query\":\""
                         + req.query + "\",\"body\":\"" + req.body
                         + "\",\"type\":\"" + req.content_type + "\""
                         + (req.api_key.empty()
                              ? ""
                              : ",\"key\":\"" + req.api_key + "\"")
                         + "}";
              res.headers.emplace_back("Keep-Alive", "timeout=5");
              res.headers.emplace_back("X-Upstream", "yes");
              respond(std::move(res));
            });
    srv = std::make_unique<lh::http::server>(
      std::move(r), lh::http::server_options{.port = port, .threads = 1});
    EXPECT_TRUE(srv->start());
  }
  ~fake_upstream() { srv.reset(); }
  std::unique_ptr<lh::http::server> srv;
  std::atomic<int> requests{0};
  std::mutex mtx;
  std::vector<lh::http::respond_fn> held;
};

class gateway_http : public ::testing::Test {
protected:
  static constexpr unsigned gateway_threads = 2;
  void start(uint16_t vectors_port, uint16_t storage_port,
             size_t max_connections = 32, const lh::auth_settings& auth = {}) {
    auto opts = [&](uint16_t port) {
      lh::http::upstream_options o;
      o.port = port;
      o.service_key = auth.service_key;
      o.max_connections = max_connections;
      o.lanes = gateway_threads; // as gateway_main sets it
      o.response_timeout = std::chrono::milliseconds{1000};
      o.connect_timeout = std::chrono::milliseconds{2000};
      return o;
    };
    to_vectors = std::make_shared<lh::http::upstream>(opts(vectors_port));
    to_storage = std::make_shared<lh::http::upstream>(opts(storage_port));
    lh::http::router r;
    lh::http::add_gateway_routes(r, to_vectors, to_storage, 1 << 20);
    gateway = std::make_unique<lh::http::server>(
      std::move(r),
      lh::http::server_options{.threads = gateway_threads,
                               .keys = lh::http::key_check{auth}});
    ASSERT_TRUE(gateway->start());
    client.emplace("127.0.0.1", gateway->port());
  }
  void TearDown() override {
    gateway.reset();
    to_vectors.reset();
    to_storage.reset();
  }
  lh::http::response call(method verb, const std::string& target,
                          std::string body = {}) {
    return lh::test::call(*client, verb, target, std::move(body));
  }

  fake_upstream vectors_upstream, storage_upstream;
  std::shared_ptr<lh::http::upstream> to_vectors, to_storage;
  std::unique_ptr<lh::http::server> gateway;
  std::optional<lh::http::blocking_client> client;
};

} // namespace

TEST_F(gateway_http, routes_pass_path_query_body_and_status_through) {
  start(vectors_upstream.srv->port(), storage_upstream.srv->port());
  auto r = call(method::post, "/v1/vectors/index/docs/search?x=1", "{}");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"path":"/vectors/index/docs/search","query":"x=1",)"
                    R"("body":"{}","type":""})");
  auto s = call(method::put, "/v1/storage/put/a%2Fb", "bytes");
  EXPECT_EQ(s.status, 200u);
  EXPECT_TRUE(has(s.body, R"("path":"/storage/put/a%2Fb")")) << s.body;
  EXPECT_EQ(storage_upstream.requests.load(), 1);
  EXPECT_EQ(call(method::get, "/v1/vectors/missing").status, 404u);
  EXPECT_EQ(call(method::get, "/v1/other").status, 404u);
  EXPECT_EQ(vectors_upstream.requests.load(), 2);
}

TEST_F(gateway_http, api_keys_are_checked_at_the_front_and_passed_upstream) {
  lh::auth_settings auth;
  auth.api_keys = {"full-key-0123456789"};
  auth.read_only_keys = {"read-key-0123456789"};
  start(vectors_upstream.srv->port(), storage_upstream.srv->port(), 32, auth);
  auto as = [&](method verb, const std::string& target, const std::string& key,
                const char* header = "api-key") {
    lh::http::header_list h;
    if (!key.empty())
      h.emplace_back(
        header, std::string{header} == "Authorization" ? "Bearer " + key : key);
    auto r = client->send(verb, target, "{}", h);
    EXPECT_TRUE(r);
    return r ? *r : lh::http::response{};
  };
  auto none = as(method::post, "/v1/vectors/index/docs/add", "");
  EXPECT_EQ(none.status, 401u);
  EXPECT_TRUE(has(none.body, R"("code":"unauthorized")")) << none.body;
  EXPECT_EQ(as(method::get, "/v1/vectors/index", "wrong-key-0123456789").status,
            401u);
  EXPECT_EQ(vectors_upstream.requests.load(), 0) << "refused at the front";
  // Read-only: searches and reads pass, writes are 403.
  auto search = as(method::post, "/v1/vectors/index/docs/search",
                   "read-key-0123456789");
  EXPECT_EQ(search.status, 200u);
  EXPECT_TRUE(has(search.body, R"("key":"read-key-0123456789")"))
    << "the client's key goes upstream: " << search.body;
  auto write = as(method::post, "/v1/vectors/index/docs/add",
                  "read-key-0123456789");
  EXPECT_EQ(write.status, 403u);
  EXPECT_TRUE(has(write.body, "read-only")) << write.body;
  EXPECT_EQ(
    as(method::del, "/v1/vectors/index/docs", "read-key-0123456789").status,
    403u);
  EXPECT_EQ(as(method::put, "/v1/storage/put/x", "read-key-0123456789").status,
            403u);
  // Bearer works as well as api-key.
  auto added = as(method::post, "/v1/vectors/index/docs/add",
                  "full-key-0123456789", "Authorization");
  EXPECT_EQ(added.status, 200u);
  EXPECT_TRUE(has(added.body, R"("key":"full-key-0123456789")")) << added.body;
}

TEST_F(gateway_http,
       a_configured_service_key_replaces_the_clients_key_upstream) {
  lh::auth_settings auth;
  auth.api_keys = {"full-key-0123456789"};
  auth.service_key = "service-key-0123456789";
  start(vectors_upstream.srv->port(), storage_upstream.srv->port(), 32, auth);
  auto r = client->send(method::get, "/v1/vectors/index", {},
                        {{"api-key", "full-key-0123456789"},
                         {"X-Forwarded-For", "10.0.0.1"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u);
  EXPECT_TRUE(has(r->body, R"("key":"service-key-0123456789")")) << r->body;
}

TEST_F(gateway_http, hop_by_hop_headers_are_dropped) {
  start(vectors_upstream.srv->port(), storage_upstream.srv->port());
  auto r = call(method::get, "/v1/vectors/index");
  bool custom = false, keep_alive_header = false;
  for (auto& [name, value] : r.headers) {
    custom |= name == "X-Upstream";
    keep_alive_header |= name == "Keep-Alive";
  }
  EXPECT_TRUE(custom);
  EXPECT_FALSE(keep_alive_header);
}

TEST_F(gateway_http, upstream_down_is_502_with_a_json_error) {
  uint16_t closed_port;
  {
    fake_upstream gone; // started, then stopped: its port is closed
    closed_port = gone.srv->port();
  }
  start(closed_port, storage_upstream.srv->port());
  auto r = call(method::get, "/v1/vectors/index");
  EXPECT_EQ(r.status, 502u);
  EXPECT_TRUE(has(r.body, "\"code\":\"bad_gateway\"")) << r.body;
  EXPECT_EQ(call(method::get, "/v1/storage/list").status, 200u);
}

TEST_F(gateway_http, ready_only_while_every_upstream_is_ready) {
  uint16_t closed_port;
  {
    fake_upstream gone;
    closed_port = gone.srv->port();
  }
  start(closed_port, storage_upstream.srv->port());
  lh::http::upstream_health health{{{"vectord", to_vectors},
                                    {"storaged", to_storage}},
                                   std::chrono::milliseconds{20}};
  // Polled, bounded: the prober answers within a few of its rounds.
  auto settled = [&](auto&& done) {
    for (int i = 0; i < 250 && !done(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    return done();
  };
  auto detail = [&] { return boost::json::serialize(health.probe().detail); };
  EXPECT_TRUE(settled([&] {
    return has(detail(), R"("storaged":"ready")")
           && has(detail(), R"("vectord":"unreachable)");
  }))
    << detail();
  EXPECT_FALSE(health.probe().ready);
  // Both up: ready.
  lh::http::upstream_health both{
    {{"vectord",
      std::make_shared<lh::http::upstream>(
        lh::http::upstream_options{.port = vectors_upstream.srv->port()})},
     {"storaged", to_storage}},
    std::chrono::milliseconds{20}};
  EXPECT_TRUE(settled([&] { return both.probe().ready; }))
    << boost::json::serialize(both.probe().detail);
}

TEST_F(gateway_http, slow_upstream_is_504_not_a_hung_client) {
  start(vectors_upstream.srv->port(), storage_upstream.srv->port());
  auto t0 = std::chrono::steady_clock::now();
  auto r = call(method::get, "/v1/storage/never");
  EXPECT_EQ(r.status, 504u);
  EXPECT_TRUE(has(r.body, "gateway_timeout")) << r.body;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds{5});
  EXPECT_EQ(call(method::get, "/v1/storage/list").status, 200u);
}

TEST_F(gateway_http, many_clients_share_few_upstream_connections) {
  start(vectors_upstream.srv->port(), storage_upstream.srv->port(), 4);
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 16; ++t)
    clients.emplace_back([&] {
      lh::http::blocking_client c{"127.0.0.1", gateway->port()};
      for (int i = 0; i < 25; ++i) {
        auto r = c.send(method::post, "/v1/vectors/index/x/search", "{}");
        ok += r && r->status == 200;
      }
    });
  for (auto& t : clients)
    t.join();
  EXPECT_EQ(ok.load(), 400);
  EXPECT_LE(to_vectors->connections_opened(), 4u);
  EXPECT_EQ(vectors_upstream.requests.load(), 400);
}

// A request read by a server I/O thread is forwarded and answered on that
// thread: no hop to the upstream's own thread and back (two wakeups and
// context switches per request before). Requests from other threads still
// go through the upstream's own thread.
TEST_F(gateway_http, a_request_is_forwarded_on_the_io_thread_that_read_it) {
  lh::http::upstream_options o;
  o.port = vectors_upstream.srv->port();
  auto up = std::make_shared<lh::http::upstream>(o);
  std::atomic<int> same_thread{0}, other_thread{0};
  lh::http::router r;
  r.add(method::get, "/hop",
        [&, up](lh::http::request&, lh::http::respond_fn respond) {
          auto reader = std::this_thread::get_id();
          up->send(method::get, "/vectors/x", "", "",
                   [&, reader, respond](lh::expected<lh::http::response> res) {
                     ++(std::this_thread::get_id() == reader ? same_thread
                                                             : other_thread);
                     respond(res ? std::move(*res)
                                 : lh::http::error_response(res.error()));
                   });
        });
  lh::http::server front{std::move(r), {.threads = 2}};
  ASSERT_TRUE(front.start());
  lh::http::blocking_client c{"127.0.0.1", front.port()};
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(lh::test::call(c, method::get, "/hop").status, 200u);
  EXPECT_EQ(same_thread.load(), 10);
  EXPECT_EQ(other_thread.load(), 0);
  // From a thread that runs no server context: answered on another.
  std::promise<std::thread::id> answered_on;
  up->send(method::get, "/vectors/x", "", "",
           [&](lh::expected<lh::http::response> res) {
             EXPECT_TRUE(res);
             answered_on.set_value(std::this_thread::get_id());
           });
  EXPECT_NE(answered_on.get_future().get(), std::this_thread::get_id());
  front.stop(std::chrono::seconds{1});
}

TEST_F(gateway_http,
       an_upstream_restart_costs_no_request_its_stale_connections) {
  auto restarted = std::make_unique<fake_upstream>();
  auto port = restarted->srv->port();
  start(port, storage_upstream.srv->port(), 8);
  // Several kept-alive connections to the upstream, all idle afterwards.
  std::vector<std::thread> clients;
  for (int t = 0; t < 6; ++t)
    clients.emplace_back([&] {
      lh::http::blocking_client c{"127.0.0.1", gateway->port()};
      for (int i = 0; i < 10; ++i)
        (void)c.send(method::post, "/v1/vectors/index/x/search", "{}");
    });
  for (auto& t : clients)
    t.join();
  ASSERT_GE(to_vectors->connections_opened(), 2u);
  // The upstream restarts on its port: every idle connection is stale. A
  // request must not meet two of them (one retry, then a 502 before).
  restarted.reset();
  restarted = std::make_unique<fake_upstream>(port);
  for (int i = 0; i < 3; ++i) {
    auto r = call(method::get, "/v1/vectors/index");
    EXPECT_EQ(r.status, 200u) << r.body;
  }
}

// Requests waiting for an upstream connection are bounded: past
// max_waiting one fails at once as overloaded (the gateway's 503), and the
// waiting ones still go once a connection frees.
TEST_F(gateway_http, upstream_waiting_requests_are_bounded) {
  lh::http::upstream_options o;
  o.port = storage_upstream.srv->port();
  o.max_connections = 1;
  o.max_waiting = 1;
  o.response_timeout = std::chrono::milliseconds{1000};
  lh::http::upstream up{o};
  std::mutex mtx;
  // Which request, and its error (none: a response came).
  std::vector<std::pair<int, std::optional<lh::ec>>> answers;
  auto done = [&](int which) {
    return [&, which](lh::expected<lh::http::response> r) {
      std::lock_guard g{mtx};
      answers.emplace_back(which,
                           r ? std::nullopt : std::optional{r.error().code});
    };
  };
  // The only connection is held by a request the upstream never answers.
  up.send(method::get, "/storage/never", "", "", done(0));
  for (int i = 0; i < 100 && storage_upstream.requests == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  up.send(method::get, "/storage/a", "", "", done(1)); // waits
  up.send(method::get, "/storage/b", "", "", done(2)); // past the bound
  auto answered = [&](size_t n) {
    for (int i = 0; i < 300; ++i) {
      {
        std::lock_guard g{mtx};
        if (answers.size() >= n)
          return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    return false;
  };
  ASSERT_TRUE(answered(1));
  {
    std::lock_guard g{mtx};
    EXPECT_EQ(answers[0].first, 2); // at once, before the held one ends
    EXPECT_EQ(answers[0].second, lh::ec::overloaded);
  }
  // The held request times out (1 s); the waiting one then goes through.
  ASSERT_TRUE(answered(3));
  std::lock_guard g{mtx};
  EXPECT_EQ(answers[1].first, 0);
  EXPECT_EQ(answers[1].second, lh::ec::gateway_timeout);
  EXPECT_EQ(answers[2].first, 1);
  EXPECT_EQ(answers[2].second, std::nullopt);
}

TEST(upstream_url, parses_and_refuses) {
  auto o = lh::http::parse_upstream_url("http://127.0.0.1:3215");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->host, "127.0.0.1");
  EXPECT_EQ(o->port, 3215);
  EXPECT_TRUE(lh::http::parse_upstream_url("http://127.0.0.1:3215/"));
  auto v6 = lh::http::parse_upstream_url("http://[::1]:3211");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_FALSE(lh::http::parse_upstream_url("http://127.0.0.1:3215/x"));
  EXPECT_FALSE(lh::http::parse_upstream_url("https://127.0.0.1:3215"));
  EXPECT_FALSE(lh::http::parse_upstream_url("http://127.0.0.1:0"));
  EXPECT_FALSE(lh::http::parse_upstream_url("127.0.0.1:3215"));
  EXPECT_FALSE(lh::http::parse_upstream_url("http://127.0.0.1"));
  EXPECT_FALSE(lh::http::parse_upstream_url("http://127.0.0.1:99999"));
  EXPECT_FALSE(lh::http::parse_upstream_url("http://localhost:3215"));
}
