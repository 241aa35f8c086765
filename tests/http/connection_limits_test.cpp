// What a hostile client can hold: connections past the cap get an
// immediate 503; a body trickled byte by byte loses its connection after
// the grace period; running out of file descriptors makes the accept loop
// pause and retry (not spin), and it serves again once descriptors free.
#include <sys/resource.h>

#include <chrono>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "http/client.hpp"
#include "http/server.hpp"
#include "tests/http/http_test_support.hpp"

namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

std::unique_ptr<lh::http::server> start(lh::http::server_options o) {
  lh::http::router r;
  r.add(lh::http::method::post, "/echo",
        [](lh::http::request& req, lh::http::respond_fn respond) {
          lh::http::response res;
          res.body = req.body;
          respond(std::move(res));
        });
  auto srv = std::make_unique<lh::http::server>(std::move(r), std::move(o));
  EXPECT_TRUE(srv->start());
  return srv;
}

struct raw_socket {
  net::io_context io;
  net::ip::tcp::socket sock{io};
  explicit raw_socket(uint16_t port) {
    sock.connect({net::ip::make_address("127.0.0.1"), port});
    timeval tv{10, 0};
    ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void send(const std::string& bytes) { net::write(sock, net::buffer(bytes)); }
  // Reads until the server closes (or 10 s pass).
  std::string until_closed() {
    std::string out;
    char buf[4096];
    boost::system::error_code ec;
    for (;;) {
      auto n = sock.read_some(net::buffer(buf), ec);
      if (ec)
        return out;
      out.append(buf, n);
    }
  }
};

} // namespace

TEST(connection_limits, past_the_cap_a_client_gets_503_at_once) {
  auto srv = start({.threads = 1, .max_connections = 2});
  raw_socket a{srv->port()}, b{srv->port()};
  // Both held open: make sure the server took them.
  a.send("POST /echo HTTP/1.1\r\nContent-Length: 1\r\n\r\na");
  b.send("POST /echo HTTP/1.1\r\nContent-Length: 1\r\n\r\nb");
  char buf[512];
  a.sock.read_some(net::buffer(buf));
  b.sock.read_some(net::buffer(buf));
  raw_socket c{srv->port()};
  auto reply = c.until_closed();
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 503")) << reply;
  EXPECT_TRUE(lh::test::has(reply, "Retry-After: 1")) << reply;
  EXPECT_TRUE(lh::test::has(reply, "too many open connections")) << reply;
  // Once one closes, a new client is served again.
  a.sock.close();
  std::this_thread::sleep_for(100ms);
  lh::http::blocking_client d{"127.0.0.1", srv->port()};
  auto r = d.send(lh::http::method::post, "/echo", "hello");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u);
}

TEST(connection_limits, a_trickled_body_loses_its_connection_after_the_grace) {
  auto srv = start({.threads = 1, .body_grace = 1s});
  raw_socket slow{srv->port()};
  slow.send("POST /echo HTTP/1.1\r\nContent-Length: 1000\r\n\r\nx");
  auto begun = clock_type::now();
  // One byte a second would take 1000 s; the server gives up after about
  // the grace period (timeouts are swept once a second).
  std::thread trickle{[&] {
    for (int i = 0; i < 8; ++i) {
      std::this_thread::sleep_for(500ms);
      boost::system::error_code ec;
      net::write(slow.sock, net::buffer("y", 1), ec);
      if (ec)
        return;
    }
  }};
  auto reply = slow.until_closed();
  auto held = clock_type::now() - begun;
  trickle.join();
  EXPECT_LT(held, 4s) << "a trickled body held its connection";
  EXPECT_TRUE(reply.empty()) << reply; // never handled
}

TEST(connection_limits, out_of_descriptors_the_accept_loop_pauses_and_recovers) {
  auto srv = start({.threads = 1});
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
  // Few descriptors left: the clients' sockets and the server's accepted
  // ones use them up (this test runs in its own process under ctest).
  std::vector<std::unique_ptr<raw_socket>> clients;
  rlimit low = old;
  low.rlim_cur = 64;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  for (int i = 0; i < 80; ++i) {
    try {
      clients.push_back(std::make_unique<raw_socket>(srv->port()));
    } catch (const std::exception&) {
      break; // this process is out of descriptors too
    }
  }
  std::this_thread::sleep_for(1s);
  auto failures = srv->accept_failures();
  EXPECT_GT(failures, 0u) << "the limit was never reached";
  // Paused between tries (100 ms): a handful per second, not millions.
  EXPECT_LT(failures, 40u);
  clients.clear();
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
  std::this_thread::sleep_for(300ms);
  lh::http::blocking_client c{"127.0.0.1", srv->port()};
  auto r = c.send(lh::http::method::post, "/echo", "back");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "back");
}
