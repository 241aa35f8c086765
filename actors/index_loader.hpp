// Loads one index at start (or again after a failed log write): lists its
// log records, gets its LHV1 blob if it has one, gets the records, replays
// the log onto the blob (index/wal_replay) and quits. The registry spawns
// one per index in flight, detached in production, so big blobs decode in
// parallel and off CAF's shared threads.
#pragma once

#include <chrono>
#include <memory>

#include <caf/typed_event_based_actor.hpp>

#include "actors/interfaces.hpp"
#include "index/worker_pool.hpp"

namespace lh {

index_loader_actor::behavior_type
index_loader(index_loader_actor::pointer self, store_actor store,
             std::chrono::milliseconds timeout,
             std::shared_ptr<worker_pool> pool);

} // namespace lh
