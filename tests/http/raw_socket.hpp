// A client socket for tests that send raw bytes (malformed requests,
// trickled bodies, held connections) and read what the server answers.
#pragma once

#include <sys/socket.h>

#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

namespace lh::test {

namespace net = boost::asio;

struct raw_socket {
  net::io_context io;
  net::ip::tcp::socket sock{io};
  /// Opened, not connected: its descriptor exists (tests that use up the
  /// rest), connect() later.
  raw_socket() { sock.open(net::ip::tcp::v4()); }
  explicit raw_socket(uint16_t port) : raw_socket() {
    boost::system::error_code ec;
    connect(port, ec);
    if (ec)
      throw boost::system::system_error{ec};
  }
  void connect(uint16_t port, boost::system::error_code& ec) {
    sock.connect({net::ip::make_address("127.0.0.1"), port}, ec);
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

} // namespace lh::test
