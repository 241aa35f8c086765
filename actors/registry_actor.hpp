// The registry actor: creates and drops indexes, routes mutations to each
// index's actor, and publishes the index_table that searches read.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/interfaces.hpp"
#include "storage/index_table.hpp"
#include "storage/worker_pool.hpp"

namespace lh {

struct registry_options {
  std::shared_ptr<index_table> table;
  std::shared_ptr<worker_pool> pool; // for parallel inserts; may be null
  bool detached_indexes = true;      // false in deterministic tests
};

struct registry_state {
  registry_options options;
  std::map<std::string, index_actor, std::less<>> actors;
  static inline const char* name = "registry";

  /// Copies the table's map with one change and publishes it.
  void publish_with(const std::string& name,
                    std::shared_ptr<vector_index> index);
  void publish_without(const std::string& name);
};

registry_actor::behavior_type
registry(registry_actor::stateful_pointer<registry_state> self,
         registry_options options);

} // namespace lh
