#include "http/arrival_stamps.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace lh::http {

bool enable_arrival_stamps(int fd) {
  int on = 1;
  return ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0;
}

namespace {

std::optional<wall_clock::time_point> stamp_of(msghdr& msg) {
  for (auto* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS
        || c->cmsg_len < CMSG_LEN(sizeof(timespec)))
      continue;
    timespec ts;
    std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
    if (ts.tv_sec == 0 && ts.tv_nsec == 0)
      return std::nullopt;
    return wall_clock::time_point{
      std::chrono::duration_cast<wall_clock::duration>(
        std::chrono::seconds{ts.tv_sec}
        + std::chrono::nanoseconds{ts.tv_nsec})};
  }
  return std::nullopt;
}

} // namespace

stamped_read receive_stamped(int fd, const iovec* iov, size_t count) {
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec)) * 2];
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(iov);
  msg.msg_iovlen = count;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  stamped_read out;
  do
    out.bytes = ::recvmsg(fd, &msg, MSG_DONTWAIT);
  while (out.bytes < 0 && errno == EINTR);
  if (out.bytes < 0) {
    out.error = errno;
    return out;
  }
  if (out.bytes > 0)
    out.arrival = stamp_of(msg);
  return out;
}

std::chrono::microseconds
waited_since(const std::optional<wall_clock::time_point>& arrival,
             wall_clock::time_point now) {
  constexpr auto implausible = std::chrono::minutes{1};
  if (!arrival || *arrival > now || now - *arrival > implausible)
    return std::chrono::microseconds{0};
  return std::chrono::duration_cast<std::chrono::microseconds>(now - *arrival);
}

} // namespace lh::http
