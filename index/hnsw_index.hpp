// A thin, exception-free wrapper over hnswlib's HierarchicalNSW for one
// metric. The ONLY file that includes hnswlib.h is hnsw_index.cpp (one
// definition rule: hnswlib 0.6.2 defines globals such as L2SqrSIMD16Ext in
// its headers, so a second includer fails to link; compile time). That is
// why hnsw_index.cpp holds building, bytes and walks alike. Used by
// index/vector_index.
//
// Thread safety is the caller's: searches may run concurrently with each
// other and add() of distinct labels may run concurrently with each other,
// but never a search beside an add, and reserve() alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/error.hpp"
#include "index/slot_set.hpp"

namespace lh {

enum class metric { l2, cosine, dot };

std::string_view to_string(metric m);
bool parse_metric(std::string_view text, metric& out);

struct hnsw_params {
  uint32_t dimension = 0;
  metric space = metric::l2;
  uint32_t m = 16;
  uint32_t ef_construction = 200;
  uint64_t seed = 100;
};

struct neighbor {
  uint64_t label;
  float distance; // as users expect: see to_user_distance
};

/// A graph of capacity 0 holds no hnswlib graph until its first reserve():
/// an empty index costs almost nothing (hnswlib allocates ~2.5 MiB for any
/// graph, see release_untouched_locks in hnsw_index.cpp).
class hnsw_index {
public:
  hnsw_index(const hnsw_params& params, size_t capacity);
  ~hnsw_index();
  hnsw_index(const hnsw_index&) = delete;
  hnsw_index& operator=(const hnsw_index&) = delete;

  const hnsw_params& params() const { return params_; }
  size_t capacity() const;
  size_t element_count() const; // including replaced and deleted slots

  /// Grows capacity to at least `n` (never shrinks). Exclusive.
  expected<void> reserve(size_t n);

  /// Inserts `vector` (already prepared, see prepare_vector) under
  /// `label`, or replaces the vector of an existing label.
  expected<void> add(uint64_t label, const float* vector);

  /// Up to k nearest labels, nearest first, searching with beam `ef`.
  /// Deleted slots route the walk but are never returned.
  std::vector<neighbor> search(const float* query, size_t k, size_t ef) const;

  /// A walk that scores only slots in `allowed`, reaching past failing
  /// neighbours to theirs, from the descent's entry and from seeds spread
  /// over `allowed`. Approximate: may find fewer than k (see vector_index,
  /// which then scans exactly).
  std::vector<neighbor> search_filtered(const float* query, size_t k, size_t ef,
                                        const slot_set& allowed) const;

  /// The exact k nearest among `allowed` (a distance to each of them).
  std::vector<neighbor> search_exact(const float* query, size_t k,
                                     const slot_set& allowed) const;

  // Slots are hnswlib's internal ids: fixed for a label once it is in the
  // graph, dense 0..element_count()-1. Filters work on slots, so the walk
  // tests a candidate without reading its element.

  /// The slot of `label`, if it was ever added. Not beside an add.
  std::optional<uint32_t> slot_of(uint64_t label) const;
  uint64_t label_at(uint32_t slot) const;

  /// Marks `label` deleted (it must be in the graph and not deleted): it
  /// stays in the graph to route walks until add() reuses it.
  void mark_deleted(uint64_t label);
  /// Clears the mark before add() gives the slot a new vector. Exclusive:
  /// hnswlib's deleted counter is not atomic.
  void unmark_deleted(uint64_t label);
  bool is_deleted(uint64_t label) const;
  size_t deleted_count() const;
  /// Bytes the graph holds, estimated from its sizes: every slot of its
  /// capacity (vector, level-0 links, label, lock, level), the expected
  /// upper-level links (1/(M-1) levels per element) and the label map.
  size_t memory_bytes() const;

  /// The stored vector of `label` (normalized for cosine).
  std::vector<float> vector_of(uint64_t label) const;

  /// The graph in hnswlib's own saveIndex format, byte for byte, written
  /// from its public fields into memory (no temporary file). Shared: no
  /// add may run meanwhile.
  std::string serialize() const;

  /// serialize()'s bytes appended to `out`, and their exact count: lets a
  /// caller write the graph straight into a bigger blob without a copy.
  void serialize_into(std::string& out) const;
  size_t serialized_size() const;

  /// Rebuilds a graph from serialize()'s bytes. Every length, count, offset
  /// and neighbour id is checked against `params` and the byte count, so
  /// damaged bytes give ec::corrupt_data, never a crash. After loading, the
  /// deleted count is recomputed (hnswlib 0.6.2's loadIndex leaves it
  /// wrong only for its own reasons; we do not rely on it).
  static expected<std::unique_ptr<hnsw_index>>
  deserialize(const hnsw_params& params, std::string_view bytes);

  /// hnswlib's own saveIndex to a file and loadIndex from one: the
  /// reference for tests and the persistence benchmark. Not used by the
  /// product (loadIndex trusts its input).
  expected<void> save_to_file(const std::string& path) const;
  static expected<std::unique_ptr<hnsw_index>>
  load_from_file(const hnsw_params& params, const std::string& path);

  /// hnswlib's raw distance -> what users see: l2 = Euclidean distance
  /// (hnswlib gives its square), cosine = 1 - cos, dot = 1 - dot.
  float to_user_distance(float raw) const;

  /// Normalizes in place for cosine (others unchanged); returns the norm
  /// before normalizing.
  static float prepare_vector(metric space, float* vector, size_t dimension);

  struct impl;

private:
  hnsw_index(const hnsw_params& params, std::unique_ptr<impl> d);
  static std::unique_ptr<impl> make_impl(const hnsw_params& params,
                                         size_t capacity);
  const impl& graph_or_empty(std::unique_ptr<impl>& scratch) const;

  hnsw_params params_;
  std::unique_ptr<impl> impl_;
};

} // namespace lh
