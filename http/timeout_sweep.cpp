// Connection deadlines, checked once a second on every open session
// instead of a timer per request (a timer per operation costs syscalls on
// every request on this VM).
#include "http/server_impl.hpp"
#include "http/session.hpp"

namespace lh::http {

void server::impl::sweep_timeouts() {
  sweeper.expires_after(std::chrono::seconds{1});
  sweeper.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->stopping)
      return;
    auto now = clock_type::now();
    for (auto& s : self->live_sessions())
      net::post(s->executor(), [s, now] { s->check_timeout(now); });
    self->sweep_timeouts();
  });
}

} // namespace lh::http
