// vectord's HTTP API (/vectors/index...) on top of the index_table (reads,
// searches: no actor round trip), the async_registry (mutations) and the
// index_status (indexes still loading at start: 503), and its /ready.
#pragma once

#include <memory>
#include <string>

#include "actors/async_registry.hpp"
#include "http/health_routes.hpp"
#include "http/router.hpp"
#include "index/index_status.hpp"
#include "index/index_table.hpp"
#include "index/worker_pool.hpp"

namespace lh::http {

/// Adds the /vectors routes under `prefix` ("" for vectord, "/v1" for the
/// all-in-one).
void add_vector_routes(router& r, const std::shared_ptr<index_table>& table,
                       const std::shared_ptr<const index_status>& status,
                       const std::shared_ptr<async_registry>& registry,
                       const std::string& prefix = "",
                       std::shared_ptr<worker_pool> pool = nullptr);

/// /ready of a vector service: ready once rehydration is done; the detail
/// shows its progress, indexes that failed to load and failing saves.
readiness vector_readiness(const index_status& status);

} // namespace lh::http
