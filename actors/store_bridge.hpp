// Makes an async_store that forwards to a store actor with a timeout per
// call. Used by the main of each binary that serves /storage routes.
#pragma once

#include <chrono>
#include <memory>

#include <caf/fwd.hpp>

#include "actors/async_store.hpp"
#include "actors/interfaces.hpp"

namespace lh {

std::shared_ptr<async_store>
make_store_bridge(caf::actor_system& sys, store_actor store,
                  std::chrono::milliseconds timeout);

} // namespace lh
