// Loads one index at start: gets its LHV1 blob from the store, rebuilds the
// index (lhv1::restore) and quits. The registry spawns one per index in
// flight, detached in production, so big blobs decode in parallel and off
// CAF's shared threads.
#pragma once

#include <chrono>

#include <caf/typed_event_based_actor.hpp>

#include "actors/interfaces.hpp"

namespace lh {

index_loader_actor::behavior_type
index_loader(index_loader_actor::pointer self, store_actor store,
             std::chrono::milliseconds timeout);

} // namespace lh
