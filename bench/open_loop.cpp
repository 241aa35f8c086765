#include "bench/open_loop.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <fcntl.h>

namespace bench {

namespace {

using clock_type = std::chrono::steady_clock;

struct connection {
  int fd = -1;
  bool busy = false;
  size_t request = 0;
  clock_type::time_point due;
  const std::string* out = nullptr; // the request being written
  size_t written = 0;
  std::string in;
};

class open_loop {
public:
  open_loop(uint16_t port, const std::vector<std::string>& requests,
            size_t max_connections)
    : port_(port), requests_(requests), max_(max_connections),
      ep_(::epoll_create1(0)) {}
  ~open_loop() {
    for (auto& c : conns_)
      if (c.fd >= 0)
        ::close(c.fd);
    ::close(ep_);
  }

  void open_idle(size_t n) {
    for (size_t i = 0; i < n && conns_.size() < max_; ++i)
      idle_.push_back(open());
  }

  open_loop_result run(double rate, double seconds) {
    auto start = clock_type::now();
    auto interval = std::chrono::duration<double>(1.0 / rate);
    auto deadline = start
                    + std::chrono::duration_cast<clock_type::duration>(
                      std::chrono::duration<double>(seconds));
    auto grace_end = deadline + std::chrono::seconds{5};
    size_t n = 0;
    epoll_event events[256];
    for (;;) {
      auto now = clock_type::now();
      clock_type::time_point next_due;
      for (;;) {
        next_due = start + std::chrono::duration_cast<clock_type::duration>(
                             interval * static_cast<double>(n));
        if (next_due > now || next_due >= deadline)
          break;
        issue(n++, next_due);
      }
      if (now >= deadline && in_flight_ == 0)
        break;
      if (now >= grace_end) {
        result_.timed_out = in_flight_;
        break;
      }
      auto wake = next_due < deadline ? next_due : grace_end;
      auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(
        wake - now);
      timespec ts{static_cast<time_t>(wait.count() / 1'000'000'000),
                  static_cast<long>(wait.count() % 1'000'000'000)};
      int got = ::epoll_pwait2(ep_, events, 256, &ts, nullptr);
      if (got < 0 && errno != EINTR)
        break;
      for (int e = 0; e < got; ++e)
        on_event(events[e].data.u64, events[e].events);
    }
    result_.due = n;
    result_.seconds = std::chrono::duration<double>(
                        std::min(clock_type::now(), deadline) - start)
                        .count();
    return std::move(result_);
  }

private:
  size_t open() {
    int fd = connect_loopback(port_);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    connection c;
    c.fd = fd;
    conns_.push_back(std::move(c));
    size_t id = conns_.size() - 1;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = id;
    ::epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
    ++result_.connections;
    return id;
  }

  void issue(size_t n, clock_type::time_point due) {
    size_t id = SIZE_MAX;
    while (!idle_.empty() && id == SIZE_MAX) {
      id = idle_.back();
      idle_.pop_back();
      if (conns_[id].fd < 0)
        id = SIZE_MAX; // closed by the server since
    }
    if (id == SIZE_MAX) {
      if (open_count() >= max_) {
        ++result_.unsent;
        return;
      }
      id = open();
    }
    auto& c = conns_[id];
    c.busy = true;
    c.request = n % requests_.size();
    c.due = due;
    c.out = &requests_[c.request];
    c.written = 0;
    ++in_flight_;
    write_more(id);
  }

  size_t open_count() const { return result_.connections - closed_; }

  void write_more(size_t id) {
    auto& c = conns_[id];
    while (c.out && c.written < c.out->size()) {
      auto n = ::send(c.fd, c.out->data() + c.written,
                      c.out->size() - c.written, MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        watch(id, EPOLLIN | EPOLLOUT);
        return;
      }
      if (n <= 0)
        return fail(id);
      c.written += static_cast<size_t>(n);
    }
    if (c.out) {
      c.out = nullptr;
      result_.send_lag.push_back(std::chrono::duration<float, std::micro>(
                                   clock_type::now() - c.due)
                                   .count());
      watch(id, EPOLLIN);
    }
  }

  void watch(size_t id, uint32_t what) {
    epoll_event ev{};
    ev.events = what;
    ev.data.u64 = id;
    ::epoll_ctl(ep_, EPOLL_CTL_MOD, conns_[id].fd, &ev);
  }

  void on_event(size_t id, uint32_t what) {
    auto& c = conns_[id];
    if (c.fd < 0)
      return;
    if (what & EPOLLOUT)
      write_more(id);
    if (!(what & (EPOLLIN | EPOLLHUP | EPOLLERR)))
      return;
    char buf[65536];
    bool closed = false;
    for (;;) {
      auto got = ::recv(c.fd, buf, sizeof buf, 0);
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      if (got <= 0) {
        closed = true;
        if (got < 0 && errno == ECONNRESET && c.busy)
          ++result_.resets;
        break;
      }
      c.in.append(buf, static_cast<size_t>(got));
    }
    int status = 0;
    std::string_view body;
    if (auto used = parse_response(c.in, status, body); used > 0 && c.busy) {
      auto micros = std::chrono::duration<float, std::micro>(
        clock_type::now() - c.due);
      result_.samples.push_back({static_cast<uint32_t>(c.request),
                                 static_cast<uint16_t>(status),
                                 micros.count()});
      if (status == 200)
        ++result_.ok;
      else if (status == 429 || status == 503)
        ++result_.refused;
      else
        ++result_.errors;
      c.in.erase(0, used);
      c.busy = false;
      --in_flight_;
      if (!closed)
        idle_.push_back(id);
    }
    // Closed by the server: after a refusal that did not read the body
    // (answered above), or an idle connection it dropped. Gone either way;
    // only a request left unanswered is an error.
    if (closed)
      c.busy ? fail(id) : drop(id);
  }

  void fail(size_t id) {
    ++result_.errors;
    if (conns_[id].busy) {
      conns_[id].busy = false;
      --in_flight_;
    }
    drop(id);
  }

  void drop(size_t id) {
    auto& c = conns_[id];
    ::epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    c.fd = -1;
    ++closed_;
  }

  uint16_t port_;
  const std::vector<std::string>& requests_;
  size_t max_;
  int ep_;
  std::vector<connection> conns_;
  std::vector<size_t> idle_;
  size_t in_flight_ = 0, closed_ = 0;
  open_loop_result result_;
};

} // namespace

open_loop_result run_open_loop(uint16_t port, double rate, double seconds,
                               const std::vector<std::string>& requests,
                               size_t max_connections, size_t initial) {
  open_loop loop{port, requests, max_connections};
  loop.open_idle(initial);
  return loop.run(rate, seconds);
}

} // namespace bench
