// GET /health (alive) and GET /ready (200 once started, 503 with detail
// before) for every service.
#pragma once

#include <functional>
#include <string>

#include <boost/json/object.hpp>

#include "http/router.hpp"

namespace lh::http {

struct readiness {
  bool ready = false;
  boost::json::object detail; // shown as "detail"
};

/// `probe` is called per /ready request, from an I/O thread.
void add_health_routes(router& r, std::string service,
                       std::function<readiness()> probe);

} // namespace lh::http
