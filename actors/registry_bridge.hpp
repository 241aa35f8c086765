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

std::shared_ptr<async_registry> make_registry_bridge(caf::actor_system& sys,
                                                     registry_actor registry);

} // namespace lh
