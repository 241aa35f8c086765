// Requests that reach an I/O thread too late (it was busy past
// max_queue_delay) are refused at once with 503 and Retry-After, probes
// still answer, and no stale delay is left once the thread caught up.
// The requests travel on connections already open: a new connection's
// wait for its accept is not seen (its read starts after the catch-up).
#include <chrono>
#include <thread>

#include <boost/asio/read.hpp>
#include <gtest/gtest.h>

#include "http/client.hpp"
#include "http/server.hpp"
#include "tests/http/http_test_support.hpp"
#include "tests/http/raw_socket.hpp"

namespace {

namespace net = boost::asio;
using lh::test::raw_socket;
using namespace std::chrono_literals;

std::unique_ptr<lh::http::server> start(std::chrono::milliseconds max_delay) {
  lh::http::router r;
  // Holds its (only) I/O thread, as a long parse or search would.
  r.add(lh::http::method::post, "/block",
        [](lh::http::request&, lh::http::respond_fn respond) {
          std::this_thread::sleep_for(300ms);
          respond(lh::http::response{});
        });
  auto ok = [](lh::http::request&, lh::http::respond_fn respond) {
    respond(lh::http::response{});
  };
  r.add(lh::http::method::post, "/echo", ok);
  r.add(lh::http::method::get, "/health", ok);
  auto srv = std::make_unique<lh::http::server>(
    std::move(r),
    lh::http::server_options{.threads = 1, .max_queue_delay = max_delay});
  EXPECT_TRUE(srv->start());
  return srv;
}

// A kept-alive connection the server has accepted and served once, so
// that a request sent on it later waits as a read on the I/O thread.
struct connection {
  raw_socket sock;
  explicit connection(uint16_t port) : sock{port} {
    sock.send("POST /echo HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    answer();
  }
  void send(const std::string& request) { sock.send(request); }
  std::string answer() {
    char buf[1024];
    auto n = sock.sock.read_some(net::buffer(buf));
    return std::string(buf, n);
  }
};

// While /block holds the thread, an /echo and a /health arrive.
struct arrivals {
  std::string block, echo, health, echo_again;
};
arrivals during_a_block(uint16_t port) {
  connection block{port}, echo{port}, health{port};
  block.send("POST /block HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  std::this_thread::sleep_for(100ms);
  echo.send("POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
  health.send("GET /health HTTP/1.1\r\n\r\n");
  arrivals got{block.answer(), echo.answer(), health.answer(), ""};
  // A small body is read before the refusal: the connection stays open.
  echo.send("POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
  got.echo_again = echo.answer();
  return got;
}

} // namespace

TEST(queue_delay, a_request_that_waited_past_the_bound_is_refused_at_once) {
  auto srv = start(20ms);
  auto got = during_a_block(srv->port());
  EXPECT_TRUE(got.block.starts_with("HTTP/1.1 200")) << got.block;
  EXPECT_TRUE(got.echo.starts_with("HTTP/1.1 503")) << got.echo;
  EXPECT_TRUE(lh::test::has(got.echo, "Retry-After: 1")) << got.echo;
  EXPECT_TRUE(lh::test::has(got.echo, "ms behind its requests")) << got.echo;
  EXPECT_TRUE(got.echo_again.starts_with("HTTP/1.1 200")) << got.echo_again;
  // A probe answers however late.
  EXPECT_TRUE(got.health.starts_with("HTTP/1.1 200")) << got.health;
  // Caught up: the next request is served, nothing stale refuses it.
  lh::http::blocking_client c{"127.0.0.1", srv->port()};
  for (int i = 0; i < 20; ++i) {
    auto r = c.send(lh::http::method::post, "/echo", "");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u);
  }
}

TEST(queue_delay, without_a_bound_the_late_request_is_served_late) {
  auto srv = start(0ms);
  auto got = during_a_block(srv->port());
  EXPECT_TRUE(got.echo.starts_with("HTTP/1.1 200")) << got.echo;
  EXPECT_TRUE(got.health.starts_with("HTTP/1.1 200")) << got.health;
}
