// Conversion between lh::error and caf::error at actor boundaries, and the
// renderer that makes CAF print our errors readably.
#pragma once

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include "config/error.hpp"

namespace lh {

inline constexpr caf::atom_value error_category = caf::atom("lakehouse");

caf::error to_caf(const error& err);

/// Our errors come back as they were; CAF's own (a request timeout, a dead
/// actor) become ec::timeout or ec::unavailable with CAF's text.
error from_caf(const caf::error& err);

/// Registers the renderer of error_category in a config.
void add_error_renderer(caf::actor_system_config& cfg);

} // namespace lh
