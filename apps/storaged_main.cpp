// storaged: the object store service on RocksDB (port 3211).
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/actor_process.hpp"
#include "actors/store_bridge.hpp"
#include "actors/vector_service.hpp"
#include "config/command_line.hpp"
#include "http/health_routes.hpp"
#include "http/metrics_routes.hpp"
#include "http/serve.hpp"
#include "http/storage_routes.hpp"

int main(int argc, char** argv) {
  return lh::run_actor_process(
    argc, argv, lh::role::storaged,
    [](const lh::settings& cfg, caf::actor_system& sys) {
      auto store = lh::open_store(sys, cfg.storaged);
      if (!store) {
        spdlog::error("storaged: {}", store.error().message);
        return 1;
      }
      auto timeout = std::chrono::milliseconds{cfg.request_timeout_ms};
      lh::http::router routes;
      lh::http::add_health_routes(routes, "storaged", [rocks = store->rocks] {
        return lh::http::storage_readiness(*rocks);
      });
      lh::http::add_metrics_route(routes, nullptr);
      auto bridge = lh::make_store_bridge(sys, store->actor, timeout);
      lh::http::add_storage_routes(routes, bridge,
                                   cfg.storaged.max_value_bytes);
      lh::http::add_internal_storage_routes(routes, bridge,
                                            cfg.storaged.max_value_bytes);
      lh::http::server server{std::move(routes),
                              lh::http::service_server_options(
                                cfg, cfg.storaged.bind, cfg.storaged.port)};
      auto about = lh::config_origin(cfg) + ", data: " + cfg.storaged.data_dir;
      return lh::http::serve_until_signal("storaged", server, about, [&] {
        caf::anon_send_exit(store->actor, caf::exit_reason::user_shutdown);
      });
    });
}
