// The actor parts of the binaries, started the same way wherever they
// appear: storaged and lakehouse open a store, vectord and lakehouse run
// the vector service (registry, persistence, rehydration). Used by the
// mains in apps/ and by the HTTP tests.
#pragma once

#include <chrono>
#include <memory>

#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"
#include "config/settings.hpp"
#include "index/index_status.hpp"
#include "index/index_table.hpp"
#include "index/worker_pool.hpp"
#include "storage/rocks_store.hpp"

namespace lh {

/// RocksDB under a data directory: its actor, and the store itself for
/// what needs no actor round trip (the /ready probe).
struct opened_store {
  store_actor actor;
  std::shared_ptr<rocks_store> rocks;
};

/// Opens RocksDB under `s.data_dir` and spawns its writer pool.
expected<opened_store> open_store(caf::actor_system& sys,
                                  const storaged_settings& s);

/// How long one store call of the vector service may take: a save of a
/// large index moves hundreds of MiB.
inline constexpr std::chrono::minutes store_call_timeout{5};

struct vector_service {
  std::shared_ptr<index_table> table;
  std::shared_ptr<index_status> status;
  registry_actor registry;
  persistence_actor persistence; // null when ephemeral
  wal_actor wal;                 // null when ephemeral
  size_t max_waiting_requests = default_max_waiting_requests;
  std::shared_ptr<worker_pool> pool; // inserts; batch searches share it
};

/// Spawns the registry (detached index actors, a worker pool with a thread
/// per core for parallel inserts). With a store (non-null) it also spawns
/// the persistence actor and rehydrates every saved index; without one the
/// service is ephemeral.
/// `local`: the store's RocksDB when it is in this process (lakehouse):
/// the log writes into it directly (actors/wal_writer.hpp).
vector_service start_vector_service(caf::actor_system& sys, store_actor store,
                                    const vectord_settings& s,
                                    std::shared_ptr<rocks_store> local = {});

/// How long a stop waits for pending snapshots. The log already holds
/// every acknowledged change, so a snapshot at stop only shortens the next
/// start's replay: not worth minutes when the store is down.
inline constexpr std::chrono::seconds stop_save_wait{30};

/// Waits up to `timeout` for pending saves (logging what is left
/// unsaved), then stops the actors.
void stop_vector_service(caf::actor_system& sys, const vector_service& svc,
                         std::chrono::milliseconds timeout);

} // namespace lh
