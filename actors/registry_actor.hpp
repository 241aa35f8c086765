// The registry actor: creates and drops indexes, routes mutations to each
// index's actor, publishes the index_table that searches read, tells the
// persistence actor of creates and drops, and at start rehydrates the
// indexes saved in the store (index/rehydration: bounded parallelism, a
// timeout per index, progress in index_status).
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <memory>
#include <string>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/index_actor.hpp"
#include "actors/interfaces.hpp"
#include "index/index_status.hpp"
#include "index/index_table.hpp"
#include "index/rehydration.hpp"
#include "index/worker_pool.hpp"

namespace lh {

struct registry_options {
  std::shared_ptr<index_table> table;
  // Where index mutations run (index actors live on the shared
  // scheduler and must not block it); null: on the actor's own thread, as
  // in deterministic tests.
  std::shared_ptr<worker_pool> pool;
  size_t max_queued_changes = default_max_queued_changes; // per index
  bool detached = true; // loaders (blocking store reads) get their own
                        // threads; false in deterministic tests
  std::shared_ptr<index_status> status; // null: the registry makes one
  // Persistence. Both null: ephemeral (nothing loaded, nothing saved).
  store_actor store;             // rehydrate from it at start
  persistence_actor persistence; // told of every change
  wal_actor wal;                 // logs creates and drops (with a store)
  std::chrono::milliseconds rehydrate_timeout{60'000}; // per index
  size_t rehydrate_parallelism = 2;                    // blobs loading at once
};

struct registry_state {
  // Not an aggregate: see persistence_state.
  registry_state() = default;

  registry_options options;
  std::map<std::string, index_actor, std::less<>> actors;
  // Names with no live index whose log goes on: the next sequence of each
  // (after a drop, so a new index of that name follows its tombstone).
  std::map<std::string, uint64_t, std::less<>> next_sequence;
  std::set<std::string, std::less<>> dropping; // drop record in flight
  // Indexes loading again after a failed log write, with the failed
  // attempts of each: retried (with backoff) until the store is back.
  std::map<std::string, uint32_t, std::less<>> reloading;
  rehydration loading{1}; // at start; afterwards it keeps the failures
  std::chrono::steady_clock::time_point started;
  uint32_t list_failures = 0;
  bool summary_logged = false; // "rehydrated N indexes", once
  static inline const char* name = "registry";

  /// Copies the table's map with one change and publishes it.
  void publish_with(const std::string& name,
                    std::shared_ptr<vector_index> index);
  void publish_without(const std::string& name);
  /// The actor of a loaded index; while it loads or after it failed to,
  /// the reason (503); else not_found.
  expected<index_actor> actor_of(const std::string& name) const;

  /// The sequence a new log record of `name` gets when no index of that
  /// name is live (a create, or the drop of an index that failed to load).
  uint64_t sequence_for_new(const std::string& name) const;
};

registry_actor::behavior_type
registry(registry_actor::stateful_pointer<registry_state> self,
         registry_options options);

} // namespace lh
