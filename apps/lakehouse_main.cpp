// lakehouse: the all-in-one binary. storaged's store (RocksDB under the
// data directory) and vectord's vector service in one actor system, saving
// indexes into the embedded store, serving the gateway's /v1 API on 3110
// with routes sent straight to the actors.
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/actor_process.hpp"
#include "actors/store_bridge.hpp"
#include "actors/vector_service.hpp"
#include "config/command_line.hpp"
#include "http/serve.hpp"
#include "http/service_routes.hpp"
#include "http/storage_routes.hpp"

int main(int argc, char** argv) {
  return lh::run_actor_process(
    argc, argv, lh::role::lakehouse,
    [](const lh::settings& cfg, caf::actor_system& sys) {
      auto store = lh::open_store(sys, cfg.storaged);
      if (!store) {
        spdlog::error("lakehouse: {}", store.error().message);
        return 1;
      }
      auto svc = lh::start_vector_service(sys, store->actor, cfg.vectord,
                                          store->rocks);
      auto timeout = std::chrono::milliseconds{cfg.request_timeout_ms};
      lh::http::router routes;
      lh::http::add_vector_service_routes(routes, sys, svc, "lakehouse", "/v1");
      lh::http::add_storage_routes(
        routes, lh::make_store_bridge(sys, store->actor, timeout),
        cfg.storaged.max_value_bytes, "/v1");
      lh::http::server server{
    std::move(routes),
    lh::http::service_server_options(cfg, cfg.lakehouse.bind, cfg.lakehouse.port)};
      auto about = lh::config_origin(cfg) + ", data: " + cfg.storaged.data_dir
                   + "; indexes are saved in the embedded store";
      return lh::http::serve_until_signal("lakehouse", server, about, [&] {
          lh::stop_vector_service(sys, svc, lh::stop_save_wait);
          caf::anon_send_exit(store->actor, caf::exit_reason::user_shutdown);
        });
    });
}
