// The write-ahead log's records: one per mutation of an index, stored as
// the object _wal/<name>/<sequence, 20 digits> so that a listing returns
// them in order. A record is
//   [4 bytes "LHW1"][u8 kind][u64 sequence][u32 payload length][payload]
//   [u32 CRC32C of everything before it]          (integers big-endian)
// and its payload by kind:
//   create  the index parameters (name, dimension, metric, m, ef's)
//   add     u32 count, u32 dimension, each id and metadata as
//           [u32 length][bytes], then count x dimension floats (raw)
//   remove  u32 count, each id as [u32 length][bytes] (the ids a delete
//           actually removed: a filter is logged resolved)
//   drop    nothing
// Pure: the index actor and registry encode, rehydration decodes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/error.hpp"
#include "index/vector_index.hpp"

namespace lh::wal {

inline constexpr std::string_view magic = "LHW1";

/// Every log record's key starts with this.
inline constexpr std::string_view key_prefix = "_wal/";

enum class kind : uint8_t { create = 1, add = 2, remove = 3, drop = 4 };

/// "_wal/<name>/": the prefix of one index's records.
std::string prefix_of(std::string_view index_name);

/// The key of record `sequence` of an index.
std::string key_of(std::string_view index_name, uint64_t sequence);

struct record_key {
  std::string index;
  uint64_t sequence = 0;
};

/// The index and sequence a log key names; nullopt for any other key.
std::optional<record_key> parse_key(std::string_view key);

std::string encode_create(uint64_t sequence, const index_params& params);
std::string encode_add(uint64_t sequence, const add_batch& batch);
std::string encode_remove(uint64_t sequence,
                          const std::vector<std::string>& ids);
std::string encode_drop(uint64_t sequence);

struct record {
  kind what = kind::drop;
  uint64_t sequence = 0;
  index_params params;          // create
  add_batch batch;              // add
  std::vector<std::string> ids; // remove
};

/// Checks magic, length and checksum, then the payload's own bounds. A
/// short or damaged record is ec::corrupt_data naming what is wrong;
/// never a crash.
expected<record> decode(std::string_view bytes);

} // namespace lh::wal
