// The listening side of the server: bind, listen and accept, handing each
// connection to the next I/O context and tracking it until it closes.
#include <spdlog/spdlog.h>

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

void server::impl::accept_next() {
  auto& context = *contexts[next_context++ % contexts.size()];
  acceptor.async_accept(context, [self = shared_from_this()](
                                   beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec != net::error::operation_aborted && !self->stopping)
        spdlog::warn("http: accept failed: {}", ec.message());
      if (self->stopping || !self->acceptor.is_open())
        return;
    } else {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay{true}, ignored);
      auto s = std::make_shared<session>(std::move(socket), self);
      self->track(s);
      s->run();
    }
    self->accept_next();
  });
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
