// The first steps of every main that runs actors (storaged, vectord,
// lakehouse): the process start of config/command_line.hpp, then one actor
// system that renders the project's errors. Used by the mains in apps/.
#pragma once

#include <functional>

#include <caf/fwd.hpp>

#include "config/command_line.hpp"

namespace lh {

/// Starts the process (signals, flags, config, logging), builds the actor
/// system and runs `body` with it; returns the exit code (that of a bad
/// command line, or body's).
int run_actor_process(
  int argc, char** argv, role r,
  const std::function<int(const settings&, caf::actor_system&)>& body);

} // namespace lh
