// gateway: the public /v1 front of the split services (port 3110):
// /v1/vectors/... to vectord, /v1/storage/... to storaged, over kept-alive
// upstream connections.
#include <spdlog/spdlog.h>

#include "config/command_line.hpp"
#include "http/gateway_routes.hpp"
#include "http/health_routes.hpp"
#include "http/metrics_routes.hpp"
#include "http/serve.hpp"
#include "http/upstream_health.hpp"

int main(int argc, char** argv) {
  auto cli = lh::start_process(argc, argv, lh::role::gateway);
  if (!cli.loaded)
    return cli.exit_code;
  auto& cfg = *cli.loaded;
  auto vectord = lh::http::parse_upstream_url(cfg.gateway.vectord_url);
  auto storaged = lh::http::parse_upstream_url(cfg.gateway.storaged_url);
  for (auto* u : {&vectord, &storaged})
    if (!*u) {
      spdlog::error("gateway: {}", u->error().message);
      return 2;
    }
  auto timeout = std::chrono::milliseconds{cfg.request_timeout_ms};
  vectord->response_timeout = storaged->response_timeout = timeout;
  vectord->service_key = storaged->service_key = cfg.auth.service_key;
  auto server_options = lh::http::service_server_options(cfg, cfg.gateway.bind,
                                                         cfg.gateway.port);
  vectord->lanes = storaged->lanes = lh::http::io_thread_count(server_options);
  auto to_vectord = std::make_shared<lh::http::upstream>(*vectord);
  auto to_storaged = std::make_shared<lh::http::upstream>(*storaged);
  lh::http::router routes;
  // Ready while both upstreams are: asked every second, answered from
  // the last answers.
  auto health = std::make_shared<lh::http::upstream_health>(
    lh::http::upstream_health::targets{{"vectord", to_vectord},
                                       {"storaged", to_storaged}},
    std::chrono::seconds{1});
  lh::http::add_health_routes(routes, "gateway",
                              [health] { return health->probe(); });
  lh::http::add_metrics_route(routes, nullptr);
  lh::http::add_gateway_routes(routes, to_vectord, to_storaged,
                               cfg.storaged.max_value_bytes);
  lh::http::server server{std::move(routes), server_options};
  auto about = "vectord " + cfg.gateway.vectord_url + ", storaged "
               + cfg.gateway.storaged_url;
  return lh::http::serve_until_signal("gateway", server, about, [] {});
}
