// How the process's allocator treats large buffers. glibc raises its mmap
// threshold to the size of each large buffer freed (up to 32 MiB), so
// after a few add bodies, parsed batches and log records of some MiB
// those come from the thread arenas, and what is freed there stays
// resident: a lakehouse that loaded a 60k x 784 index held ~125 MiB of
// free arena memory (malloc_stats) beside a 188 MiB graph. Called first
// thing by every service's main (config/command_line's start_process).
#pragma once

#include <cstddef>

namespace lh {

/// Buffers of at least this many bytes get their own mapping, returned
/// to the system when freed. Below it (search bodies, a batch search's
/// 600 KiB body) the heap reuses freed memory without new page faults,
/// which cost ~10 us per 4 KiB page on this class of VM.
constexpr size_t own_mapping_bytes = size_t{1} << 20;

/// Fixes the allocator's mmap threshold at own_mapping_bytes (glibc; a
/// no-op elsewhere). Returns false if the allocator refused.
bool map_large_buffers_apart();

} // namespace lh
