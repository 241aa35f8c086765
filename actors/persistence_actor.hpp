// The persistence actor: turns "index X changed / was dropped" notices into
// ONE put of an LHV1 blob (or a delete) per index at a time, retrying
// failures with backoff and publishing them for /ready. Encoding is CPU
// work on big indexes, so it is spawned detached in production.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/interfaces.hpp"
#include "index/index_status.hpp"
#include "index/index_table.hpp"
#include "index/retry_backoff.hpp"
#include "index/save_scheduler.hpp"

namespace lh {

struct persistence_state {
  // Not an aggregate: CAF would otherwise try to build it from the actor
  // pointer (C++20 parenthesized aggregate init) and fail to compile.
  persistence_state() = default;

  store_actor store;
  std::shared_ptr<index_table> table;
  std::shared_ptr<index_status> status; // failing saves are published here
  std::chrono::milliseconds timeout{30000};
  // Paced: after each save an index rests three times as long as the save
  // took (see save_pause_factor), so saves of a busy index take about a
  // quarter of the time.
  save_scheduler schedule{true};
  std::map<std::string, std::chrono::steady_clock::time_point> started;
  std::map<std::string, std::string> failing; // name -> last error
  std::map<std::string, uint64_t> drop_sequence; // of each dropped index
  // Blobs encoded while part of their log was not durable yet.
  struct held_blob {
    std::shared_ptr<vector_index> index;
    std::string bytes;
    log_position at;
  };
  std::map<std::string, held_blob> held;
  std::vector<caf::typed_response_promise<ok_atom>> flushes; // wait for idle
  static inline const char* name = "persistence";
};

persistence_actor::behavior_type
persistence(persistence_actor::stateful_pointer<persistence_state> self,
            store_actor store, std::shared_ptr<index_table> table,
            std::shared_ptr<index_status> status,
            std::chrono::milliseconds timeout);

} // namespace lh
