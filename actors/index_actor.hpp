// The index actor: one per index, applies mutations to its vector_index in
// arrival order. Inserts are CPU-heavy and parallel (worker_pool), so it is
// spawned detached in production; tests run it on the test scheduler.
#pragma once

#include <memory>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/interfaces.hpp"
#include "index/vector_index.hpp"
#include "index/worker_pool.hpp"

namespace lh {

struct index_state {
  std::shared_ptr<vector_index> index;
  std::shared_ptr<worker_pool> pool; // may be null: insert on this thread
  persistence_actor persistence;     // told of each change; null = ephemeral
  static inline const char* name = "index";
};

index_actor::behavior_type
index(index_actor::stateful_pointer<index_state> self,
      std::shared_ptr<vector_index> index, std::shared_ptr<worker_pool> pool,
      persistence_actor persistence);

} // namespace lh
