// The store actor: the store_actor interface in front of a rocks_store.
// RocksDB blocks, so spawn it detached (tests spawn it on the test
// scheduler). Used by storaged and lakehouse (vectord's store is the remote
// one, http/remote_store_actor.hpp).
#pragma once

#include <memory>
#include <vector>

#include <caf/actor_system.hpp>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/interfaces.hpp"
#include "storage/rocks_store.hpp"

namespace lh {

struct rocks_store_state {
  std::shared_ptr<rocks_store> store;
  static inline const char* name = "rocks-store";
};

store_actor::behavior_type
rocks_store_actor(store_actor::stateful_pointer<rocks_store_state> self,
                  std::shared_ptr<rocks_store> store);

} // namespace lh

namespace lh {

struct store_pool_state {
  std::vector<store_actor> workers;
  size_t next = 0;
  static inline const char* name = "store-pool";
};

/// A store_actor that hands each request to the next of `workers` in turn.
/// Several detached workers let RocksDB group-commit concurrent synced
/// writes instead of syncing them one by one. Writes to one key stay
/// ordered per key only through rocks_store's key locks, not by arrival.
store_actor::behavior_type
store_pool_actor(store_actor::stateful_pointer<store_pool_state> self,
                 std::vector<store_actor> workers);

/// Detached writers per store: enough concurrent synced puts for RocksDB to
/// group-commit them (bench/storaged.sh: 4 KiB PUTs with 8 clients).
inline constexpr size_t default_store_writers = 8;

/// Spawns `workers` detached rocks_store_actors and a pool in front.
store_actor spawn_rocks_store(caf::actor_system& sys,
                              std::shared_ptr<rocks_store> store,
                              size_t workers);

} // namespace lh
