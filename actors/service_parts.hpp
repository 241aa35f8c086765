// The actor parts each binary is made of, started the same way wherever
// they appear: storaged and lakehouse open a store, vectord and lakehouse
// run the vector service (registry, persistence, rehydration). Used by the
// *_main.cpp files.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"
#include "config/settings.hpp"
#include "http/router.hpp"
#include "storage/index_status.hpp"
#include "storage/index_table.hpp"

namespace lh {

/// Opens RocksDB under `s.data_dir` and spawns its writer pool.
expected<store_actor> open_store(caf::actor_system& sys,
                                 const storaged_settings& s);

/// The store vectord saves into: a pool of clients of the storaged at
/// `s.storaged_url`, or null when it is empty (ephemeral).
expected<store_actor> connect_store(caf::actor_system& sys,
                                    const vectord_settings& s);

/// How long one store call of the vector service may take: a save of a
/// large index moves hundreds of MiB.
inline constexpr std::chrono::minutes store_call_timeout{5};

struct vector_service {
  std::shared_ptr<index_table> table;
  std::shared_ptr<index_status> status;
  registry_actor registry;
  persistence_actor persistence; // null when ephemeral
};

/// Spawns the registry (detached index actors, a worker pool with a thread
/// per core for parallel inserts). With a store (non-null) it also spawns
/// the persistence actor and rehydrates every saved index; without one the
/// service is ephemeral.
vector_service start_vector_service(caf::actor_system& sys, store_actor store,
                                    const vectord_settings& s);

/// The /health and /ready routes of `service`, and the /vectors routes
/// under `prefix`, on `svc` (mutations time out after `timeout`).
void add_vector_service_routes(http::router& routes, caf::actor_system& sys,
                               const vector_service& svc, std::string service,
                               std::chrono::milliseconds timeout,
                               const std::string& prefix = "");

/// Waits up to `timeout` for pending saves (logging what is left
/// unsaved), then stops the actors.
void stop_vector_service(caf::actor_system& sys, const vector_service& svc,
                         std::chrono::milliseconds timeout);

/// "config: FILE" or "config: built-in defaults", for start-up lines.
std::string config_origin(const settings& s);

} // namespace lh
