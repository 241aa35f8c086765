// vectord's HTTP API (/vectors/index...) on top of the index_table (reads,
// searches: no actor round trip) and the async_registry (mutations).
#pragma once

#include <memory>
#include <string>

#include "actors/async_registry.hpp"
#include "http/router.hpp"
#include "storage/index_table.hpp"

namespace lh::http {

/// Largest accepted add body: a batch of 1000 x 4096 floats fits.
inline constexpr uint64_t max_add_body = uint64_t{256} << 20;

/// Adds the /vectors routes under `prefix` ("" for vectord, "/v1" for the
/// all-in-one).
void add_vector_routes(router& r, std::shared_ptr<index_table> table,
                       std::shared_ptr<async_registry> registry,
                       const std::string& prefix = "");

} // namespace lh::http
