// A process's memory, read from /proc/PID/status: so a benchmark can print
// what an index costs a server (resident bytes), and its own peak around
// one step (VmHWM after clear_refs).
#pragma once

#include <cstddef>
#include <string>

namespace bench {

/// A field of /proc/PID/status in bytes (VmRSS, VmHWM; the file says kB);
/// `pid` 0 is this process. 0 when the process or the field is missing.
size_t status_bytes(const std::string& field, int pid = 0);

inline size_t rss_bytes(int pid = 0) {
  return status_bytes("VmRSS", pid);
}

/// Resets VmHWM to the current RSS (Linux clear_refs "5").
bool reset_peak_rss(int pid = 0);

inline double mib(double bytes) {
  return bytes / (1024.0 * 1024.0);
}

} // namespace bench
