// A TCP socket whose reads remember when their bytes reached the host
// (http/arrival_stamps.hpp): a Beast stream (async_read_some with recvmsg,
// async_write_some as the socket's), so the session knows how long the
// request it just parsed waited before the server got to it.
//
// A read first tries recvmsg at once and waits for readiness only when
// nothing is there, as Asio's own reads do; the epoll edge that follows a
// failed try is never lost because a socket lives on one I/O context run
// by one thread (server.cpp), so the wait is queued before that thread
// can look at epoll again. A read that completes at once is posted, never
// run inside the call that started it.
#pragma once

#include <array>
#include <optional>

#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include "http/arrival_stamps.hpp"

namespace lh::http {

class stamped_socket {
public:
  using socket_type = boost::asio::ip::tcp::socket;
  using executor_type = socket_type::executor_type;

  explicit stamped_socket(socket_type&& socket) : socket_(std::move(socket)) {}

  executor_type get_executor() { return socket_.get_executor(); }
  socket_type& socket() { return socket_; }

  /// Stamps from now on; false if the kernel refused (reads go unstamped).
  bool enable_stamps() {
    return enable_arrival_stamps(socket_.native_handle());
  }

  /// The arrival of the last bytes read, if the kernel stamped them.
  const std::optional<wall_clock::time_point>& last_arrival() const {
    return last_arrival_;
  }

  template <class Buffers, class Handler>
  auto async_write_some(const Buffers& buffers, Handler&& handler) {
    return socket_.async_write_some(buffers, std::forward<Handler>(handler));
  }

  template <class Buffers, class Handler>
  auto async_read_some(const Buffers& buffers, Handler&& handler) {
    return boost::asio::async_compose<Handler,
                                      void(boost::system::error_code, size_t)>(
      read_op<Buffers>{*this, buffers}, handler, socket_);
  }

private:
  static constexpr size_t max_iov = 16;

  template <class Buffers>
  struct read_op {
    stamped_socket& s;
    Buffers buffers;
    enum { start, waiting, posted } step = start;
    boost::system::error_code ec{};
    size_t bytes = 0;

    template <class Self>
    void operator()(Self& self, boost::system::error_code wait_ec = {}) {
      switch (step) {
        case start:
          if (s.try_read(buffers, ec, bytes)) {
            step = posted;
            return boost::asio::post(s.socket_.get_executor(), std::move(self));
          }
          step = waiting;
          return s.socket_.async_wait(socket_type::wait_read, std::move(self));
        case waiting:
          if (wait_ec)
            return self.complete(wait_ec, 0);
          if (!s.try_read(buffers, ec, bytes))
            return s.socket_.async_wait(socket_type::wait_read,
                                        std::move(self));
          return self.complete(ec, bytes);
        case posted: return self.complete(ec, bytes);
      }
    }
  };

  /// One recvmsg: true when it is done (bytes, end of stream or an error
  /// in ec), false when nothing has arrived yet.
  template <class Buffers>
  bool try_read(const Buffers& buffers, boost::system::error_code& ec,
                size_t& bytes) {
    std::array<iovec, max_iov> iov;
    size_t count = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && count < max_iov;
         ++it) {
      boost::asio::mutable_buffer b = *it;
      if (b.size() == 0)
        continue;
      iov[count++] = iovec{b.data(), b.size()};
    }
    bytes = 0;
    ec = {};
    if (count == 0)
      return true; // as Asio: an empty read completes at once
    auto got = receive_stamped(socket_.native_handle(), iov.data(), count);
    if (got.bytes < 0) {
      if (got.error == EAGAIN || got.error == EWOULDBLOCK)
        return false;
      ec.assign(got.error, boost::asio::error::get_system_category());
      return true;
    }
    if (got.bytes == 0) {
      ec = boost::asio::error::eof;
      return true;
    }
    bytes = static_cast<size_t>(got.bytes);
    last_arrival_ = got.arrival;
    return true;
  }

  socket_type socket_;
  std::optional<wall_clock::time_point> last_arrival_;
};

} // namespace lh::http
