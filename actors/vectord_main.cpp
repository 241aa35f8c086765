// vectord: the HNSW index service (port 3215).
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/service_parts.hpp"
#include "actors/registry_bridge.hpp"
#include "config/command_line.hpp"
#include "http/health_routes.hpp"
#include "http/serve.hpp"
#include "http/vector_routes.hpp"

int main(int argc, char** argv) {
  auto cli = lh::start_process(argc, argv, lh::role::vectord);
  if (!cli.loaded)
    return cli.exit_code;
  auto& cfg = *cli.loaded;
  caf::actor_system_config system_cfg;
  lh::add_error_renderer(system_cfg);
  caf::actor_system sys{system_cfg};
  auto table = std::make_shared<lh::index_table>();
  auto registry = lh::spawn_registry(sys, table);
  lh::http::router routes;
  lh::http::add_health_routes(routes, "vectord", [] {
    return lh::http::readiness{true, "{}"};
  });
  lh::http::add_vector_routes(
    routes, table,
    lh::make_registry_bridge(sys, registry,
                             std::chrono::milliseconds{cfg.request_timeout_ms}));
  lh::http::server server{std::move(routes),
                          {.bind = cfg.vectord.bind,
                           .port = cfg.vectord.port,
                           .threads = cfg.io_threads}};
  auto about = lh::config_origin(cfg)
               + "; indexes are kept in memory only: persistence is not "
                 "built yet";
  return lh::http::serve_until_signal(
    "vectord", server, cfg.vectord.bind, about, [&] {
      caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    });
}
