// The kernel's arrival stamps under the session's reads: a request left
// in a socket buffer shows how long it waited there, reads through
// stamped_socket deliver the bytes (and the end of the stream) as Asio's
// own reads do, and never complete inside the call that starts them.
#include <chrono>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "http/arrival_stamps.hpp"
#include "http/stamped_socket.hpp"

namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// A connected loopback pair: `client` writes, `server` is what a session
// would read from.
struct socket_pair {
  net::io_context io{1};
  tcp::socket client{io}, server{io};
  socket_pair() {
    tcp::acceptor acceptor{io, {net::ip::make_address("127.0.0.1"), 0}};
    client.connect(acceptor.local_endpoint());
    server = acceptor.accept();
  }
  void send(std::string_view bytes) {
    net::write(client, net::buffer(bytes.data(), bytes.size()));
  }
};

TEST(arrival_stamps, a_read_shows_how_long_its_bytes_waited) {
  socket_pair pair;
  ASSERT_TRUE(lh::http::enable_arrival_stamps(pair.server.native_handle()));
  // Linux turns stamping on a moment after the first socket asks for it.
  std::this_thread::sleep_for(20ms);
  pair.send("GET / HTTP/1.1\r\n\r\n");
  std::this_thread::sleep_for(60ms); // the server is "busy"
  char buf[64];
  iovec iov{buf, sizeof buf};
  auto got = lh::http::receive_stamped(pair.server.native_handle(), &iov, 1);
  ASSERT_EQ(got.bytes, 18);
  ASSERT_TRUE(got.arrival.has_value());
  auto waited = lh::http::waited_since(got.arrival,
                                       lh::http::wall_clock::now());
  EXPECT_GE(waited, 55ms);
  EXPECT_LT(waited, 5s);
  // Nothing more is there: a non-blocking read says so.
  got = lh::http::receive_stamped(pair.server.native_handle(), &iov, 1);
  EXPECT_EQ(got.bytes, -1);
  EXPECT_EQ(got.error, EAGAIN);
}

TEST(arrival_stamps, no_wait_is_invented_from_a_missing_or_odd_stamp) {
  auto now = lh::http::wall_clock::now();
  EXPECT_EQ(lh::http::waited_since(std::nullopt, now).count(), 0);
  EXPECT_EQ(lh::http::waited_since(now + 1s, now).count(), 0); // clock set back
  EXPECT_EQ(lh::http::waited_since(now - 1h, now).count(), 0); // set forward
  EXPECT_EQ(lh::http::waited_since(now - 30ms, now), 30ms);
}

// One read's outcome, filled in by its handler.
struct read_outcome {
  boost::system::error_code ec;
  size_t n = 0;
  bool done = false;
};

template <class Buffer>
void start_read(lh::http::stamped_socket& s, Buffer buf, read_outcome& out) {
  out = {};
  s.async_read_some(buf, [&out](boost::system::error_code e, size_t bytes) {
    out = {e, bytes, true};
  });
}

TEST(stamped_socket, reads_what_arrives_and_then_the_end_of_the_stream) {
  socket_pair pair;
  lh::http::stamped_socket s{std::move(pair.server)};
  ASSERT_TRUE(s.enable_stamps());
  std::this_thread::sleep_for(20ms);
  pair.send("hello");
  std::this_thread::sleep_for(30ms);
  char buf[16];
  read_outcome r;
  start_read(s, net::buffer(buf), r);
  EXPECT_FALSE(r.done) << "a read that could finish at once must be posted";
  pair.io.run();
  pair.io.restart();
  ASSERT_TRUE(r.done);
  EXPECT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(std::string(buf, r.n), "hello");
  ASSERT_TRUE(s.last_arrival().has_value());
  EXPECT_GE(lh::http::waited_since(s.last_arrival(),
                                   lh::http::wall_clock::now()),
            25ms);

  // Nothing there yet: the read waits for it.
  start_read(s, net::buffer(buf), r);
  pair.io.poll();
  pair.io.restart();
  EXPECT_FALSE(r.done);
  pair.send("again");
  pair.io.run_one_for(5s);
  pair.io.restart();
  ASSERT_TRUE(r.done);
  EXPECT_EQ(std::string(buf, r.n), "again");

  pair.client.close();
  start_read(s, net::buffer(buf), r);
  pair.io.run_one_for(5s);
  ASSERT_TRUE(r.done);
  EXPECT_EQ(r.ec, net::error::eof);
  EXPECT_EQ(r.n, 0u);
}

} // namespace
