// Process signal handling for every binary: SIGINT/SIGTERM are blocked in
// all threads at start and awaited in one place (main), as CAF needs.
#pragma once

namespace lh {

/// Blocks SIGINT and SIGTERM; call first in main, before any thread starts.
void block_stop_signals();

/// Waits for SIGINT or SIGTERM; returns the signal number.
int wait_for_stop_signal();

} // namespace lh
