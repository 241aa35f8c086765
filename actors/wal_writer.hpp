// The write-ahead log writer: one per service. Index actors and the
// registry append records; each record is answered once it is durable in
// the store. While one group is being written the next one gathers
// (index/group_commit), so N concurrent writers cost about one synced write
// instead of N. Two ways to write:
// - through a store actor (vectord: storaged over HTTP): one append
//   request per group, the next group gathering while it is out;
// - straight into a local rocks_store (lakehouse): the writer blocks in
//   the synced write itself, so it is spawned detached; appends that
//   arrive meanwhile wait in its mailbox, and a flush message it sends
//   itself after them turns them into the next group. Two thread hops
//   fewer per write than going through the store's actors.
#pragma once

#include <chrono>
#include <map>
#include <memory>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/interfaces.hpp"
#include "index/group_commit.hpp"
#include "storage/rocks_store.hpp"

namespace lh {

struct wal_writer_state {
  wal_writer_state() = default; // not an aggregate: see persistence_state

  store_actor store;                 // or:
  std::shared_ptr<rocks_store> local; // written in this actor's thread
  std::chrono::milliseconds timeout{0};
  bool flush_queued = false;
  group_commit commits;
  std::map<uint64_t, caf::typed_response_promise<ok_atom>> waiting;
  uint64_t next_token = 0;
  static inline const char* name = "wal-writer";
};

wal_actor::behavior_type
wal_writer(wal_actor::stateful_pointer<wal_writer_state> self,
           store_actor store, std::chrono::milliseconds timeout);

/// The local form: spawn it detached.
wal_actor::behavior_type
local_wal_writer(wal_actor::stateful_pointer<wal_writer_state> self,
                 std::shared_ptr<rocks_store> store);

} // namespace lh
