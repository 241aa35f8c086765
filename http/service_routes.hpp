// The routes of a running vector service: /health, /ready and /vectors,
// wired to its actors through the registry bridge. Used by vectord,
// lakehouse and the HTTP tests, so the three serve the same API.
#pragma once

#include <chrono>
#include <string>

#include <caf/fwd.hpp>

#include "actors/vector_service.hpp"
#include "http/router.hpp"

namespace lh::http {

/// The /health and /ready routes of `service`, and the /vectors routes
/// under `prefix`, on `svc`. Mutations are answered once applied, however
/// long that takes; reads answer on the I/O thread.
void add_vector_service_routes(router& routes, caf::actor_system& sys,
                               const vector_service& svc, std::string service,
                               const std::string& prefix = "");

} // namespace lh::http
