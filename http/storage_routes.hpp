// storaged's HTTP API on top of an async_store: the public
// /storage/put|get|delete|list, which refuse the reserved prefixes
// (_vectors/, _wal/), and the internal /internal/storage/... routes the
// vector service's own store client uses (ordered writes, log appends and
// trims; for the service key when API keys are on, http/access.hpp).
// Used by storaged, lakehouse and the gateway tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "actors/async_store.hpp"
#include "http/health_routes.hpp"
#include "http/router.hpp"
#include "storage/rocks_store.hpp"

namespace lh::http {

/// Adds the /storage routes under `prefix` ("" for storaged, "/v1" for the
/// all-in-one). PUT bodies are limited to `max_value_bytes`.
void add_storage_routes(router& r, std::shared_ptr<async_store> store,
                        uint64_t max_value_bytes,
                        const std::string& prefix = "");

/// Where the internal routes live; only storaged serves them.
inline constexpr const char* internal_storage_base = "/internal/storage";

/// The internal routes: put/get/delete (with ?generation=), list, append
/// and trim, on every key.
void add_internal_storage_routes(router& r, std::shared_ptr<async_store> store,
                                 uint64_t max_value_bytes);

/// storaged's /ready: 503 while the store could not take a write (disk
/// nearly full, RocksDB stopped after a background error), with why.
readiness storage_readiness(const rocks_store& store);

} // namespace lh::http
