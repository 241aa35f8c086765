// When the bytes of a request reached this host, as the kernel saw them:
// SO_TIMESTAMPNS makes each recvmsg on a TCP socket carry the receive time
// of the last segment it read (Linux's tcp_recv_timestamp). A request that
// waited in a socket buffer, or in the accept backlog, while the server
// was busy shows its whole wait here; the server's own event-loop lag
// (http/queue_delay.hpp) sees at most the batch epoll handed it.
//
// Plain POSIX on purpose: no Asio here, so the parsing is tested alone;
// http/stamped_socket.hpp puts it under Beast's reads.
#pragma once

#include <sys/uio.h>

#include <chrono>
#include <cstddef>
#include <optional>

namespace lh::http {

using wall_clock = std::chrono::system_clock; // the stamps' clock (REALTIME)

/// Asks the kernel to stamp what arrives on `fd`; false where it cannot
/// (not a socket, an old kernel): reads then carry no stamp.
bool enable_arrival_stamps(int fd);

struct stamped_read {
  long bytes = 0; // as recvmsg: -1 on error (then error is errno)
  int error = 0;
  std::optional<wall_clock::time_point> arrival; // of the last bytes read
};

/// One non-blocking recvmsg into `iov` (EAGAIN when nothing is there).
stamped_read receive_stamped(int fd, const iovec* iov, size_t count);

/// How long bytes stamped `arrival` have waited at `now`; zero without a
/// stamp, and for a stamp in the future or implausibly old (the wall
/// clock was set: a wait must not be invented from a clock step).
std::chrono::microseconds
waited_since(const std::optional<wall_clock::time_point>& arrival,
             wall_clock::time_point now);

} // namespace lh::http
