// The gateway's routes: /v1/vectors/... to vectord and /v1/storage/... to
// storaged, status and body passed through unchanged.
#pragma once

#include <cstdint>
#include <memory>

#include "http/router.hpp"
#include "http/upstream.hpp"

namespace lh::http {

/// Adds /v1/vectors/* -> `vectors` and /v1/storage/* -> `storage`, for
/// every method. Storage bodies are limited to `max_storage_body`.
void add_gateway_routes(router& r, std::shared_ptr<upstream> vectors,
                        std::shared_ptr<upstream> storage,
                        uint64_t max_storage_body);

} // namespace lh::http
