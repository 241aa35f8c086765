// The index actor: one per index, applies mutations to its vector_index in
// arrival order and answers each once its log record is durable (the
// write-ahead log: actors/wal_writer.hpp). It runs on CAF's shared
// scheduler, so a thousand idle indexes cost no threads; the work of a
// mutation (validation, the log record's encoding, the inserts) runs on
// the bounded worker_pool, one mutation of this index at a time, while
// the actor queues the next ones (up to `max_queued`; past it a change is
// refused at once with ec::queue_full, 429). It does not wait for the log
// before the next mutation, so the records of concurrent writers share a
// group commit; a search may see a change a moment before it is answered.
// When a log write fails, memory holds a change the store lacks: the actor
// refuses further mutations and asks the registry to load the index again
// from the store, which drops the unlogged change.
#pragma once

#include <deque>
#include <functional>
#include <memory>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/interfaces.hpp"
#include "config/settings.hpp"
#include "index/vector_index.hpp"
#include "index/worker_pool.hpp"

namespace lh {

/// What an index actor talks to. All but the pool are null when the
/// service is ephemeral (nothing logged, nothing saved).
struct index_links {
  std::shared_ptr<worker_pool> pool; // null: apply on the actor's thread
  persistence_actor persistence;     // told of each durable change
  wal_actor wal;                     // logs each change before its answer
  registry_actor registry;           // told when the index must reload
  size_t max_queued = default_max_queued_changes;
};

/// A change waiting for the one being applied: how to start it, and how
/// to answer it if the actor ends first.
struct queued_change {
  std::function<void()> start;
  std::function<void(const error&)> refuse;
};

struct index_state {
  std::shared_ptr<vector_index> index;
  index_links links;
  uint64_t next_sequence = 1; // of this index's next log record
  size_t logging = 0;         // records sent to the log, not answered yet
  std::deque<queued_change> waiting;
  // The change being applied (on the pool, or waiting for its drop
  // record): how its outcome comes back, how to fail it if the actor ends.
  bool running = false;
  std::function<void()> on_applied;
  std::function<void(const error&)> abandon;
  static inline const char* name = "index";
};

index_actor::behavior_type
index(index_actor::stateful_pointer<index_state> self,
      std::shared_ptr<vector_index> index, index_links links);

} // namespace lh
