#include "http/service_routes.hpp"

#include "actors/registry_bridge.hpp"
#include "http/health_routes.hpp"
#include "http/metrics_routes.hpp"
#include "http/vector_routes.hpp"

namespace lh::http {

void add_vector_service_routes(router& routes, caf::actor_system& sys,
                               const vector_service& svc, std::string service,
                               const std::string& prefix) {
  add_health_routes(routes, std::move(service), [status = svc.status] {
    return vector_readiness(*status);
  });
  add_metrics_route(routes, svc.table);
  add_vector_routes(routes, svc.table, svc.status,
                    make_registry_bridge(sys, svc.registry, svc.max_waiting_requests),
                    prefix, svc.pool);
}

} // namespace lh::http
