#include "http/serve.hpp"

#include <spdlog/spdlog.h>

#include "config/fd_limit.hpp"
#include "config/signals.hpp"

namespace lh::http {

size_t connection_cap(size_t configured) {
  auto limit = raise_open_file_limit();
  // RocksDB keeps its files open; upstream pools and logs need some too.
  uint64_t room = limit > 1024 ? limit - 512 : limit / 2;
  if (configured <= room)
    return configured;
  spdlog::warn("max_connections {} is lowered to {}: the open-file limit is "
               "{} (raise it with ulimit -n)",
               configured, room, limit);
  return static_cast<size_t>(room);
}

server_options service_server_options(const settings& cfg,
                                      const std::string& bind, uint16_t port) {
  return {.bind = bind,
          .port = port,
          .threads = cfg.io_threads,
          .idle_timeout = std::chrono::seconds{cfg.idle_timeout_s},
          .body_grace = std::chrono::seconds{cfg.body_grace_s},
          .keys = key_check{cfg.auth},
          .max_connections = connection_cap(cfg.max_connections),
          .max_body_bytes_in_flight = cfg.max_body_bytes_in_flight,
          .max_queue_delay = std::chrono::milliseconds{cfg.max_queue_delay_ms}};
}

int serve_until_signal(std::string_view name, server& srv,
                       const std::string& about,
                       const std::function<void()>& stop_actors) {
  auto& bind = srv.options().bind;
  if (auto ok = srv.start(); !ok) {
    spdlog::error("{}: {}", name, ok.error().message);
    stop_actors();
    return 1;
  }
  spdlog::info("{} {} listening on {}:{} ({}; {})", name, LAKEHOUSE_VERSION,
               bind, srv.port(), about,
               srv.options().keys.enabled() ? "API keys required"
                                            : "no API keys: every route open");
  if (!is_loopback(bind) && !srv.options().keys.enabled())
    spdlog::warn("{}: listening on {} beyond loopback WITHOUT API keys: "
                 "anyone who can reach it can read and change every index; "
                 "set [auth] api_keys (or LAKEHOUSE_API_KEYS)",
                 name, bind);
  auto sig = wait_for_stop_signal();
  spdlog::info("{}: signal {} received, stopping", name, sig);
  srv.stop(std::chrono::seconds{5});
  stop_actors();
  spdlog::info("{}: stopped", name);
  return 0;
}

} // namespace lh::http
