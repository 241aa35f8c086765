// The index actor: one per index, applies mutations to its vector_index in
// arrival order and answers each once its log record is durable (the
// write-ahead log: actors/wal_writer.hpp). It does not wait for the log
// before the next mutation, so the records of concurrent writers share a
// group commit; a search may see a change a moment before it is answered.
// When a log write fails, memory holds a change the store lacks: the actor
// refuses further mutations and asks the registry to load the index again
// from the store, which drops the unlogged change.
// Inserts are CPU-heavy and parallel (worker_pool), so it is spawned
// detached in production; tests run it on the test scheduler.
#pragma once

#include <memory>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/interfaces.hpp"
#include "index/vector_index.hpp"
#include "index/worker_pool.hpp"

namespace lh {

/// What an index actor talks to. All but the pool are null when the
/// service is ephemeral (nothing logged, nothing saved).
struct index_links {
  std::shared_ptr<worker_pool> pool; // may be null: insert on this thread
  persistence_actor persistence;     // told of each durable change
  wal_actor wal;                     // logs each change before its answer
  registry_actor registry;           // told when the index must reload
};

struct index_state {
  std::shared_ptr<vector_index> index;
  index_links links;
  uint64_t next_sequence = 1; // of this index's next log record
  size_t logging = 0;         // records sent to the log, not answered yet
  static inline const char* name = "index";
};

index_actor::behavior_type
index(index_actor::stateful_pointer<index_state> self,
      std::shared_ptr<vector_index> index, index_links links);

} // namespace lh
