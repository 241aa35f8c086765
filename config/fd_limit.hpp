// The process's open-file limit: raised to what the system allows at start,
// so that the connection cap (server_options.max_connections) can sit
// safely below it. Used by the mains through http/serve.hpp.
#pragma once

#include <cstdint>

namespace lh {

/// Raises the soft RLIMIT_NOFILE to the hard limit where allowed; returns
/// the soft limit in force afterwards.
uint64_t raise_open_file_limit();

} // namespace lh
