// Rehydration's second half, as pure logic: an index's snapshot (its LHV1
// blob, if any) plus the log records after it give the index as it was
// acknowledged. Tested without actors or a store.
//
// Rules (../shared/DESIGN.md, Durability):
// - records apply in sequence order, each exactly once, with no gap;
// - the last drop wins: what came before it is gone, and a snapshot older
//   than it (a save that landed late) is ignored;
// - a damaged LAST record is a torn write that was never acknowledged: it
//   ends the replay, with a reason the caller logs;
// - a damaged record anywhere else, a gap, or an add with no index to add
//   to is ec::corrupt_data naming the index and the sequence.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/error.hpp"
#include "index/vector_index.hpp"

namespace lh {

class worker_pool;

/// One stored log record: the sequence its key names, and its bytes.
struct stored_record {
  uint64_t sequence = 0;
  std::string bytes;
};

struct replay_outcome {
  std::shared_ptr<vector_index> index; // null: dropped, or never created
  uint64_t last_sequence = 0;          // the name's newest record applied
  size_t applied = 0;                  // records applied after the snapshot
  std::string torn_tail;               // why the last record was ignored
};

/// Replays `records` (any order) onto `snapshot` (null when the index has
/// no blob) for index `name`.
expected<replay_outcome> replay_log(std::string_view name,
                                    std::shared_ptr<vector_index> snapshot,
                                    std::vector<stored_record> records,
                                    worker_pool* pool);

} // namespace lh
