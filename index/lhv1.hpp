// LHV1: one index in one blob, key _vectors/<name>.lhv1.
//   [4 bytes "LHV1"][u32 big-endian envelope length][envelope JSON][graph]
// The envelope holds version, params, ids by label, metadata, counts and
// the CRC32C of the graph bytes (hnswlib's saveIndex format). Pure: used by
// the persistence actor (writes) and the registry's rehydration (reads).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/error.hpp"
#include "index/hnsw_index.hpp"
#include "index/vector_index.hpp"

namespace lh::lhv1 {

inline constexpr std::string_view magic = "LHV1";
inline constexpr uint32_t version = 1;

/// Every index blob's key starts with this: list it to find them all.
inline constexpr std::string_view key_prefix = "_vectors/";

/// The store key of an index's blob.
std::string key_of(std::string_view index_name);

/// The index a blob key belongs to; nullopt when the key is not an index
/// blob's key (another suffix, or not a valid index name).
std::optional<std::string> name_of(std::string_view key);

/// Encodes a blob. ids[i] and metadata[i] belong to graph label i (an
/// empty id is a deleted slot, marked deleted in the graph); the
/// graph holds exactly ids.size() elements.
/// An envelope too large for its u32 length is refused (ec::payload_too_large)
/// rather than written with a wrapped length.
expected<std::string>
encode(const index_params& params, std::span<const std::string> ids,
       std::span<const std::string> metadata, std::string_view graph_bytes,
       uint64_t sequence = 0);

/// Encodes a live index under its shared lock, writing the graph straight
/// into the blob: memory during a save is the index plus one blob. The
/// envelope records the log position's `applied`; `seen` (when given) gets
/// the whole position the blob was taken at.
expected<std::string> encode_index(const vector_index& index,
                                   log_position* seen = nullptr);

/// The envelope length field is 32 bits: the largest envelope there is.
inline constexpr uint64_t max_envelope_bytes = UINT32_MAX;

/// ec::payload_too_large when an envelope of `bytes` cannot be written.
expected<void> check_envelope_size(uint64_t bytes);

struct decoded {
  index_params params;
  std::vector<std::string> ids;
  std::vector<std::string> metadata; // raw JSON objects, "" = none
  std::string_view graph;            // points into the blob
  uint64_t sequence = 0;             // the last log record it holds
};

/// Checks magic, lengths, envelope, counts and the graph checksum. Any
/// damage is ec::corrupt_data naming what is wrong; never a crash.
expected<decoded> decode(std::string_view blob);

/// Decodes and rebuilds the index saved in `blob`, which must be the blob
/// of index `name`. Any damage is ec::corrupt_data; never a crash, never a
/// half-loaded index.
expected<std::shared_ptr<vector_index>> restore(std::string_view name,
                                                std::string_view blob);

} // namespace lh::lhv1
