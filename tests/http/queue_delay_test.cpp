// Requests that reach an I/O thread too late (it was busy past
// max_queue_delay) are refused at once with 503 and Retry-After, probes
// still answer, and no stale delay is left once the thread caught up.
// The requests travel on connections already open; their wait in the
// kernel is also stamped (arrival_stamps_test.cpp), here the thread's own
// lag and the stamps agree.
#include <chrono>
#include <thread>

#include <boost/asio/read.hpp>
#include <gtest/gtest.h>

#include "http/client.hpp"
#include "http/queue_delay.hpp"
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

// While /block holds the thread, two /echo requests and a /health arrive.
struct arrivals {
  std::string block, health;
  std::vector<std::string> echoes, echoes_again;
};
arrivals during_a_block(uint16_t port) {
  connection block{port}, health{port};
  std::vector<std::unique_ptr<connection>> echoes;
  for (int i = 0; i < 2; ++i)
    echoes.push_back(std::make_unique<connection>(port));
  block.send("POST /block HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  std::this_thread::sleep_for(100ms);
  for (auto& e : echoes)
    e->send("POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
  health.send("GET /health HTTP/1.1\r\n\r\n");
  arrivals got;
  got.block = block.answer();
  for (auto& e : echoes)
    got.echoes.push_back(e->answer());
  got.health = health.answer();
  // A small body is read before a refusal: the connection stays open.
  for (auto& e : echoes) {
    e->send("POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
    got.echoes_again.push_back(e->answer());
  }
  return got;
}

bool is(const std::string& answer, int status) {
  return answer.starts_with("HTTP/1.1 " + std::to_string(status));
}

} // namespace

TEST(queue_delay, requests_queued_past_the_bound_are_refused_at_once) {
  auto srv = start(20ms);
  auto got = during_a_block(srv->port());
  EXPECT_TRUE(is(got.block, 200)) << got.block;
  // The first request read after the block may go (nothing says yet that
  // requests queue up); one behind it is refused.
  size_t refused = 0;
  for (auto& e : got.echoes)
    if (is(e, 503)) {
      ++refused;
      EXPECT_TRUE(lh::test::has(e, "Retry-After: 1")) << e;
      EXPECT_TRUE(lh::test::has(e, "ms behind its requests")) << e;
    } else {
      EXPECT_TRUE(is(e, 200)) << e;
    }
  EXPECT_GE(refused, 1u);
  for (auto& again : got.echoes_again)
    EXPECT_TRUE(is(again, 200)) << again;
  // A probe answers however late.
  EXPECT_TRUE(is(got.health, 200)) << got.health;
  // Caught up: the next requests are served, nothing stale refuses them.
  lh::http::blocking_client c{"127.0.0.1", srv->port()};
  for (int i = 0; i < 20; ++i) {
    auto r = c.send(lh::http::method::post, "/echo", "");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u);
  }
}

TEST(queue_delay, without_a_bound_the_late_requests_are_served_late) {
  auto srv = start(0ms);
  auto got = during_a_block(srv->port());
  for (auto& e : got.echoes)
    EXPECT_TRUE(is(e, 200)) << e;
  EXPECT_TRUE(is(got.health, 200)) << got.health;
}

// A thread that was only not scheduled (nothing queued) is late too: its
// first request read while late is not refused for it, a second one read
// within the bound of it is; once the timer ran, no delay is left.
TEST(queue_delay, a_late_thread_with_one_request_is_not_behind) {
  boost::asio::io_context context{1};
  lh::http::queue_delay_probe probe{context, 10ms};
  probe.start();
  std::this_thread::sleep_for(60ms); // the context does not run: "starved"
  auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(probe.behind_for_request(now).count(), 0);
  EXPECT_GE(probe.behind_for_request(now), 40ms);
  context.run_for(5ms); // the overdue timer runs and re-arms
  EXPECT_EQ(probe.behind_for_request(std::chrono::steady_clock::now()).count(),
            0);
  probe.stop();
  context.restart();
  context.poll();
}

// The kernel's stamp shows a wait the timer cannot (a request left in its
// socket buffer): two heads that each waited past the bound, read within
// the bound of each other, mean requests queue up; the second is refused.
// Late heads far apart in time (a lone client on a starved thread) are not.
TEST(queue_delay, waits_in_the_kernel_count_when_they_overlap) {
  boost::asio::io_context context{1};
  lh::http::queue_delay_probe probe{context, 10ms};
  probe.start();
  auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(probe.behind_for_request(now, 5ms).count(), 0);  // within bound
  EXPECT_EQ(probe.behind_for_request(now, 30ms).count(), 0); // first late
  EXPECT_EQ(probe.behind_for_request(now + 2ms, 30ms), 30ms);
  EXPECT_EQ(probe.behind_for_request(now + 3ms, 1ms).count(), 0);
  // 50 ms after the last late head: a new late one is the first again.
  EXPECT_EQ(probe.behind_for_request(now + 52ms, 30ms).count(), 0);
  probe.stop();
  context.poll();
}
