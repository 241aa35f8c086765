// The life of a service's HTTP server in main(): start it, log the start-up
// line, wait for SIGINT/SIGTERM, stop it gracefully. Shared by every
// main in apps/.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "config/settings.hpp"
#include "http/server.hpp"

namespace lh::http {

/// The connection cap for a server: `configured`, lowered to stay below
/// the open-file limit (raised first, config/fd_limit.hpp) with room for
/// the store's files and the upstream connections; logs when it lowers it.
size_t connection_cap(size_t configured);

/// The server options every main uses: its address, and from `cfg` the
/// I/O threads, API keys and load bounds (the connection cap through
/// connection_cap).
server_options service_server_options(const settings& cfg,
                                      const std::string& bind, uint16_t port);

/// Starts `srv`, logs "<name> <version> listening on <bind>:<port> (<about>)"
/// (and a warning when it listens beyond loopback without API keys) and
/// serves until a stop signal. `stop_actors` runs after the server stopped
/// (and when it failed to start). Returns main's exit code.
int serve_until_signal(std::string_view name, server& srv,
                       const std::string& about,
                       const std::function<void()>& stop_actors);

} // namespace lh::http
