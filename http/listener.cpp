// The listening side of the server: bind, listen and accept, handing each
// connection to the next I/O context and tracking it until it closes.
#include <spdlog/spdlog.h>

#include "config/metrics.hpp"
#include "http/error_response.hpp"
#include "http/server_impl.hpp"
#include "http/session.hpp"

namespace lh::http {

expected<void> server::impl::listen() {
  beast::error_code ec;
  auto address = net::ip::make_address(options.bind, ec);
  if (ec)
    return make_error(ec::config_error,
                      "invalid bind address '" + options.bind + "'");
  tcp::endpoint endpoint{address, options.port};
  auto where = options.bind + ":" + std::to_string(options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor.bind(endpoint, ec);
  if (!ec)
    acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error(ec::unavailable,
                      "cannot listen on " + where + ": " + ec.message());
  bound_port = acceptor.local_endpoint().port();
  return {};
}

net::io_context& server::impl::context_for_next_socket() {
  return *contexts[next_context++ % contexts.size()];
}

void server::impl::accept_next() {
  acceptor.async_accept(context_for_next_socket(), [self = shared_from_this()](
                                   beast::error_code ec, tcp::socket socket) {
    if (self->stopping || !self->acceptor.is_open())
      return;
    if (ec) {
      if (ec != net::error::operation_aborted)
        return self->back_off_after(ec);
      return self->accept_next();
    }
    self->take(std::move(socket));
    // Under a flood of connections one accept per turn of the loop falls
    // behind (and so do its refusals): take what else is waiting now.
    self->acceptor.non_blocking(true, ec);
    for (int i = 0; i < accept_burst && !ec; ++i) {
      tcp::socket more{self->context_for_next_socket()};
      self->acceptor.accept(more, ec);
      if (!ec)
        self->take(std::move(more));
    }
    self->acceptor.non_blocking(false, ec);
    self->accept_next();
  });
}

void server::impl::take(tcp::socket socket) {
  if (open_sessions() >= options.max_connections)
    return refuse_over_capacity(std::move(socket));
  beast::error_code ignored;
  socket.set_option(tcp::no_delay{true}, ignored);
  auto s = std::make_shared<session>(std::move(socket), shared_from_this());
  track(s);
  s->run();
}

// Out of file descriptors (EMFILE, ENFILE) or another accept failure:
// retrying at once would spin a core and flood the log while the
// connections already open go unserved. Wait, then try again; say so at
// most once per interval, with how many failed meanwhile.
void server::impl::back_off_after(beast::error_code ec) {
  ++accept_failures;
  auto now = clock_type::now();
  if (now - last_accept_warning >= accept_warning_interval) {
    spdlog::warn("http: accept failed: {} ({} failures since the last "
                 "warning); retrying every {} ms, open connections go on",
                 ec.message(), accept_failures - failures_warned,
                 accept_backoff.count());
    last_accept_warning = now;
    failures_warned = accept_failures;
  }
  backoff_timer.expires_after(accept_backoff);
  backoff_timer.async_wait([self = shared_from_this()](beast::error_code e) {
    if (!e && !self->stopping && self->acceptor.is_open())
      self->accept_next();
  });
}

// Past max_connections a client gets an immediate 503 instead of a socket
// that is never served.
void server::impl::refuse_over_capacity(tcp::socket socket) {
  metrics::refused("connections");
  // Written as bytes once: no session, no parser for these sockets.
  static const std::string reply = [] {
    auto r = error_response(
      make_error(ec::overloaded, "too many open connections, retry later"));
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: "
           "application/json\r\nRetry-After: 1\r\nConnection: close\r\n"
           "Content-Length: "
           + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
  }();
  // Read what the client sent already: closing with unread bytes would
  // reset the connection, and the client might lose the 503 to the reset.
  // Written at once (a few hundred bytes fit any fresh socket's buffer),
  // no handler: refusing must stay much cheaper than serving.
  beast::error_code ignored;
  socket.non_blocking(true, ignored);
  char sent[4096];
  while (socket.read_some(net::buffer(sent), ignored) > 0) {
  }
  socket.write_some(net::buffer(reply), ignored);
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  socket.close(ignored);
}

size_t server::impl::open_sessions() {
  std::lock_guard guard{mtx};
  return sessions.size();
}

void server::impl::track(const std::shared_ptr<session>& s) {
  std::lock_guard guard{mtx};
  sessions.emplace(s.get(), s);
}

void server::impl::untrack(session* s) {
  std::lock_guard guard{mtx};
  sessions.erase(s);
}

std::vector<std::shared_ptr<session>> server::impl::live_sessions() {
  std::vector<std::shared_ptr<session>> out;
  std::lock_guard guard{mtx};
  for (auto& [ptr, weak] : sessions)
    if (auto s = weak.lock())
      out.push_back(std::move(s));
  return out;
}

} // namespace lh::http
