// The write-ahead log writer: one per service. Index actors and the
// registry append records; each record is answered once it is durable in
// the store. While one group is being written the next one gathers
// (index/group_commit), so N concurrent writers cost about one synced write
// instead of N. Only messages and replies: it never blocks, so it runs on
// CAF's shared scheduler.
#pragma once

#include <chrono>
#include <map>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/interfaces.hpp"
#include "index/group_commit.hpp"

namespace lh {

struct wal_writer_state {
  wal_writer_state() = default; // not an aggregate: see persistence_state

  store_actor store;
  std::chrono::milliseconds timeout{0};
  group_commit commits;
  std::map<uint64_t, caf::typed_response_promise<ok_atom>> waiting;
  uint64_t next_token = 0;
  static inline const char* name = "wal-writer";
};

wal_actor::behavior_type
wal_writer(wal_actor::stateful_pointer<wal_writer_state> self,
           store_actor store, std::chrono::milliseconds timeout);

} // namespace lh
