#include "bench/load_client.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdexcept>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace bench {

std::string json_vector(const float* v, size_t dim) {
  std::string out = "[";
  char buf[32];
  for (size_t j = 0; j < dim; ++j) {
    auto n = std::snprintf(buf, sizeof buf, j ? ",%g" : "%g", double{v[j]});
    out.append(buf, static_cast<size_t>(n));
  }
  out += ']';
  return out;
}

std::string make_post(std::string_view path, std::string_view json_body) {
  std::string req = "POST ";
  req += path;
  req += " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "Content-Length: ";
  req += std::to_string(json_body.size());
  req += "\r\n\r\n";
  req += json_body;
  return req;
}

namespace {

struct connection {
  int fd = -1;
  size_t request = 0; // index into the request list
  std::chrono::steady_clock::time_point sent;
  std::string in;
};

bool send_all(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    auto n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0)
      return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

} // namespace

int connect_loopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot connect to 127.0.0.1:"
                             + std::to_string(port));
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

size_t parse_response(const std::string& in, int& status,
                      std::string_view& body, bool* closes) {
  auto end = in.find("\r\n\r\n");
  if (end == std::string::npos)
    return 0;
  status = std::atoi(in.c_str() + 9);
  size_t length = 0;
  auto header = std::string_view{in}.substr(0, end);
  for (size_t pos = 0; pos < header.size();) {
    auto eol = header.find("\r\n", pos);
    auto line = header.substr(pos, eol - pos);
    if (line.size() > 15
        && strncasecmp(line.data(), "content-length:", 15) == 0)
      length = std::strtoul(std::string{line.substr(15)}.c_str(), nullptr, 10);
    if (closes && line.size() >= 17
        && strncasecmp(line.data(), "connection: close", 17) == 0)
      *closes = true;
    if (eol == std::string_view::npos)
      break;
    pos = eol + 2;
  }
  if (in.size() < end + 4 + length)
    return 0;
  body = std::string_view{in}.substr(end + 4, length);
  return end + 4 + length;
}

load_result
run_load(uint16_t port, size_t connections,
         const std::vector<std::string>& requests, double seconds,
         size_t max_requests,
         const std::function<void(size_t, std::string_view)>& on_response) {
  using clock = std::chrono::steady_clock;
  load_result result;
  int ep = ::epoll_create1(0);
  std::vector<connection> conns(connections);
  size_t next = 0, in_flight = 0;
  auto start = clock::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  auto issue = [&](connection& c) {
    if (next >= max_requests || clock::now() >= deadline)
      return;
    c.request = next++;
    c.sent = clock::now();
    if (!send_all(c.fd, requests[c.request % requests.size()])) {
      ++result.errors;
      return;
    }
    ++in_flight;
  };
  auto open = [&](size_t i) {
    conns[i].fd = connect_loopback(port);
    conns[i].in.clear();
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
  };
  for (size_t i = 0; i < connections; ++i)
    open(i);
  for (auto& c : conns)
    issue(c);
  std::vector<epoll_event> events(connections);
  char buf[65536];
  while (in_flight > 0) {
    int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()),
                         1000);
    if (n < 0 && errno != EINTR)
      break;
    if (n == 0 && clock::now() > deadline + std::chrono::seconds{10})
      break; // a server that stopped answering: give up, bounded
    for (int e = 0; e < n; ++e) {
      auto& c = conns[events[e].data.u64];
      auto got = ::recv(c.fd, buf, sizeof buf, 0);
      if (got <= 0) {
        ++result.errors;
        --in_flight;
        ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
        continue;
      }
      c.in.append(buf, static_cast<size_t>(got));
      int status = 0;
      std::string_view body;
      bool closes = false;
      if (auto used = parse_response(c.in, status, body, &closes); used > 0) {
        --in_flight;
        auto micros = std::chrono::duration<float, std::micro>(clock::now()
                                                               - c.sent);
        result.samples.push_back(
          {static_cast<uint32_t>(c.request % requests.size()),
           static_cast<uint16_t>(status), micros.count()});
        if (status == 200) {
          ++result.responses;
          if (on_response)
            on_response(c.request, body);
        } else if (status == 429 || status == 503) {
          ++result.refused;
        } else {
          ++result.errors;
        }
        c.in.erase(0, used);
        if (closes) { // a refusal before the body was read closes: reopen
          ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
          ::close(c.fd);
          open(events[e].data.u64);
        }
        issue(c);
      }
    }
  }
  result.seconds = std::chrono::duration<double>(clock::now() - start).count();
  for (auto& c : conns)
    ::close(c.fd);
  ::close(ep);
  return result;
}

} // namespace bench
