#include "http/health_routes.hpp"

#include "http/error_response.hpp"
#include "http/json_writer.hpp"

namespace lh::http {

void add_health_routes(router& r, std::string service,
                       std::function<readiness()> probe) {
  r.add(method::get, "/health", [service](request&, respond_fn respond) {
    respond(json_response("{\"status\":\"ok\",\"service\":"
                          + json::quoted(service) + "}"));
  });
  r.add(method::get, "/ready",
        [service, probe](request&, respond_fn respond) {
          auto state = probe();
          respond(json_response(
            std::string{"{\"ready\":"} + (state.ready ? "true" : "false")
              + ",\"service\":" + json::quoted(service)
              + ",\"detail\":" + state.detail_json + "}",
            state.ready ? 200 : 503));
        });
}

} // namespace lh::http
