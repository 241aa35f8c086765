#include "http/health_routes.hpp"

#include <boost/json/serialize.hpp>

#include "http/error_response.hpp"

namespace lh::http {

void add_health_routes(router& r, std::string service,
                       std::function<readiness()> probe) {
  // The same answer every time, and the HTTP floor benchmarks measure it:
  // written once.
  auto alive = boost::json::serialize(
    boost::json::object{{"status", "ok"}, {"service", service}});
  r.add(method::get, "/health", [alive](request&, respond_fn respond) {
    respond(json_response(alive));
  });
  r.add(method::get, "/ready",
        [service, probe = std::move(probe)](request&, respond_fn respond) {
          auto state = probe();
          boost::json::object body{{"ready", state.ready},
                                   {"service", service},
                                   {"detail", std::move(state.detail)}};
          respond(json_response(boost::json::serialize(body),
                                state.ready ? 200 : 503));
        });
}

} // namespace lh::http
