// CPU time a server spends, read from /proc: so a benchmark can print what
// one request costs the server (microseconds of CPU per request), not only
// how many it answered. Counts a process and its child processes (nginx's
// workers under its master).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/load_client.hpp"

namespace bench {

/// User + system CPU seconds of `pid` and its children so far; 0 when
/// `pid` is 0 or gone.
double process_cpu_seconds(int pid);

struct costed_load {
  load_result load;
  double cpu_us_per_request = 0; // of `server_pid`; 0 without one
  size_t connections = 0;
};

/// run_load (no response callback) with the server's CPU counted around it.
costed_load run_costed_load(uint16_t port, int server_pid, size_t connections,
                            const std::vector<std::string>& requests,
                            double seconds);

/// The best of run_costed_load over `connection_counts` (by answers per
/// second), reporting errors on stderr under `what`.
costed_load best_costed_load(uint16_t port, int server_pid,
                             const std::vector<size_t>& connection_counts,
                             const std::vector<std::string>& requests,
                             double seconds, const std::string& what);

} // namespace bench
