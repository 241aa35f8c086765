// vectord: the HNSW index service (port 3215). Saves every index into the
// storaged at [vectord].storaged_url and rehydrates them at start; with an
// empty storaged_url it is ephemeral.
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/actor_process.hpp"
#include "actors/vector_service.hpp"
#include "config/command_line.hpp"
#include "http/remote_store_actor.hpp"
#include "http/serve.hpp"
#include "http/service_routes.hpp"

int main(int argc, char** argv) {
  return lh::run_actor_process(
    argc, argv, lh::role::vectord,
    [](const lh::settings& cfg, caf::actor_system& sys) {
      auto store = lh::connect_store(sys, cfg);
      if (!store) {
        spdlog::error("vectord: {}", store.error().message);
        return 2;
      }
      auto svc = lh::start_vector_service(sys, *store, cfg.vectord);
      lh::http::router routes;
      lh::http::add_vector_service_routes(routes, sys, svc, "vectord");
      lh::http::server server{
    std::move(routes),
    lh::http::service_server_options(cfg, cfg.vectord.bind, cfg.vectord.port)};
      auto about = lh::config_origin(cfg)
                   + (*store
                        ? "; indexes are saved to storaged at "
                            + cfg.vectord.storaged_url
                        : "; EPHEMERAL: storaged_url is empty, indexes are "
                          "kept in memory only and lost at exit");
      return lh::http::serve_until_signal("vectord", server, about, [&] {
          lh::stop_vector_service(sys, svc, lh::stop_save_wait);
          if (*store)
            caf::anon_send_exit(*store, caf::exit_reason::user_shutdown);
        });
    });
}
