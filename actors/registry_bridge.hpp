// Makes an async_registry that forwards to a registry actor; its calls
// (mutations) wait for their answer. Used by the mains that serve
// /vectors routes.
#pragma once

#include <chrono>
#include <memory>

#include <caf/fwd.hpp>

#include "actors/async_registry.hpp"
#include "actors/interfaces.hpp"

namespace lh {

/// At most `max_waiting` calls wait for the registry at once; past it
/// saturated() and each call answer ec::overloaded.
std::shared_ptr<async_registry>
make_registry_bridge(caf::actor_system& sys, registry_actor registry,
                     size_t max_waiting);

} // namespace lh
