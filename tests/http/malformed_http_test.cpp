// Requests Beast cannot parse, and smuggling-shaped ones, sent as raw bytes
// over a socket: each gets a status line (400 or 431) with a JSON error and
// the connection closes, never a silent drop; and a 405 names the method
// the client sent.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "http/server.hpp"
#include "tests/http/http_test_support.hpp"
#include "tests/http/raw_socket.hpp"

namespace {

using lh::test::has;
namespace net = boost::asio;

class malformed_http : public ::testing::Test {
protected:
  void SetUp() override {
    lh::http::router r;
    r.add(lh::http::method::post, "/echo",
          [this](lh::http::request& req, lh::http::respond_fn respond) {
            ++handled;
            lh::http::response res;
            res.body = req.body;
            respond(std::move(res));
          });
    srv = std::make_unique<lh::http::server>(
      std::move(r), lh::http::server_options{.threads = 1});
    ASSERT_TRUE(srv->start());
  }

  // Sends `bytes`, then reads until the server closes.
  std::string exchange(const std::string& bytes) {
    lh::test::raw_socket sock{srv->port()};
    sock.send(bytes);
    return sock.until_closed();
  }

  std::unique_ptr<lh::http::server> srv;
  std::atomic<int> handled{0};
};

} // namespace

TEST_F(malformed_http, each_gets_a_status_line_and_a_closed_connection) {
  struct sample {
    const char* what;
    std::string bytes;
    const char* status;
  };
  std::vector<sample> samples{
    {"HTTP/0.9", "GET /echo\r\n\r\n", "HTTP/1.1 400"},
    {"bad version", "GET /echo HTTP/9.9\r\n\r\n", "HTTP/1.1 400"},
    {"oversized headers",
     "GET /echo HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n",
     "HTTP/1.1 431"},
    {"negative Content-Length",
     "POST /echo HTTP/1.1\r\nContent-Length: -5\r\n\r\nhello", "HTTP/1.1 400"},
    {"conflicting Content-Length",
     "POST /echo HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"
     "hello!",
     "HTTP/1.1 400"},
    {"Content-Length with Transfer-Encoding",
     "POST /echo HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: "
     "chunked\r\n\r\n0\r\n\r\n",
     "HTTP/1.1 400"},
    {"bad chunk size",
     "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n"
     "0\r\n\r\n",
     "HTTP/1.1 400"},
    {"garbage", "\x01\x02\x03 nonsense\r\n\r\n", "HTTP/1.1 400"},
  };
  for (auto& s : samples) {
    auto reply = exchange(s.bytes);
    EXPECT_TRUE(reply.starts_with(s.status)) << s.what << ": " << reply;
    EXPECT_TRUE(has(reply, "\"error\":")) << s.what << ": " << reply;
    EXPECT_TRUE(has(reply, "Connection: close")) << s.what << ": " << reply;
  }
  EXPECT_EQ(handled.load(), 0) << "no malformed request reached a handler";
  // And the server still serves well-formed requests.
  auto ok = exchange(
    "POST /echo HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");
  EXPECT_TRUE(ok.starts_with("HTTP/1.1 200")) << ok;
  EXPECT_TRUE(ok.ends_with("hi")) << ok;
}

TEST_F(malformed_http, a_405_names_the_method_sent) {
  auto reply = exchange("PATCH /echo HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 405")) << reply;
  EXPECT_TRUE(has(reply, "PATCH is not allowed on /echo")) << reply;
  EXPECT_TRUE(has(reply, "Allow: POST")) << reply;
}
