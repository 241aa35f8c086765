// One named vector index: the HNSW graph, the id <-> label maps and each
// item's metadata, behind a writer-preferring lock. Pure (no actors): the
// index actor calls add() in order; HTTP threads call search() directly,
// in parallel with each other. Also the validation of create parameters,
// batches and queries.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/error.hpp"
#include "index/hnsw_index.hpp"
#include "index/rw_lock.hpp"

namespace lh {

class worker_pool;

struct index_params {
  std::string name;
  uint32_t dimension = 0;
  metric space = metric::l2;
  uint32_t m = 16;
  uint32_t ef_construction = 200;
  uint32_t ef_search = 64;
};

/// Limits of the API, in one place.
struct index_limits {
  static constexpr size_t max_name_bytes = 128;
  static constexpr uint32_t max_dimension = 4096;
  static constexpr uint32_t min_m = 4, max_m = 64;
  static constexpr uint32_t min_ef_construction = 8;
  static constexpr uint32_t max_ef_construction = 4096;
  static constexpr uint32_t min_ef_search = 1, max_ef_search = 4096;
  static constexpr size_t max_id_bytes = 256;
  static constexpr size_t max_metadata_bytes = 64 * 1024;
  static constexpr size_t max_k = 1000;
};

/// The graph parameters of an index (a fixed seed: builds are repeatable).
hnsw_params graph_params(const index_params& p);

/// Names are [A-Za-z0-9_.-]{1,128}, and not "." or "..".
expected<void> validate_index_name(std::string_view name);
expected<void> validate_params(const index_params& p);

/// A batch of items to add, vectors flattened: item i is
/// vectors[i*dimension, (i+1)*dimension).
struct add_batch {
  uint32_t dimension = 0;
  std::vector<std::string> ids;
  std::vector<float> vectors;
  std::vector<std::string> metadata; // raw JSON object text, "" = none
  size_t size() const { return ids.size(); }
};

/// Checks a whole batch: ids non-empty, <= 256 bytes and unique, each
/// vector of the index's dimension with finite values (non-zero norm for
/// cosine), metadata <= 64 KiB. The error names the item's position.
expected<void> validate_batch(const index_params& p, const add_batch& batch);

/// Checks a query vector against the index: dimension, finite, norm.
expected<void> validate_query(const index_params& p, std::span<const float> q);

struct add_result {
  size_t added = 0;
  size_t length = 0;
};

struct search_hit {
  std::string id;
  float distance = 0;
  std::string metadata; // raw JSON, "" = none
};

/// An index as a save sees it: references into the live index, valid only
/// inside vector_index::read_for_save's callback. ids[i] and metadata[i]
/// belong to graph label i.
struct index_view {
  const index_params& params;
  std::span<const std::string> ids;
  std::span<const std::string> metadata;
  const hnsw_index& graph;
};

struct index_info {
  index_params params;
  size_t length = 0;
};

class vector_index {
public:
  explicit vector_index(index_params params);

  const index_params& params() const { return params_; }
  size_t length() const { return length_.load(std::memory_order_relaxed); }
  index_info info() const { return {params_, length()}; }

  /// Validates, then inserts or replaces every item. Runs in chunks under
  /// the exclusive lock, releasing it between chunks so that searches are
  /// not starved; each chunk is inserted in parallel on `pool` (when
  /// given). Mutations must come from one thread at a time (the actor).
  expected<add_result> add(add_batch batch, worker_pool* pool);

  /// The k nearest items, nearest first. `ef` defaults to
  /// max(k, ef_search). Safe to call from many threads at once.
  expected<std::vector<search_hit>> search(std::span<const float> query,
                                           size_t k,
                                           std::optional<size_t> ef) const;

  /// Calls `fn` with a consistent view under the shared lock: searches go
  /// on meanwhile, adds wait, and no add chunk is half seen. The
  /// persistence path encodes straight from it, without a copy. Adds wait
  /// at a gate before the lock: queued on the writer-preferring lock, they
  /// would hold back every new search until the save is done.
  void read_for_save(const std::function<void(const index_view&)>& fn) const;

  /// An index rebuilt from saved parts (LHV1 rehydration): ids[i] and
  /// metadata[i] belong to graph label i. Ids must be unique and as many as
  /// the graph's elements; otherwise ec::corrupt_data.
  static expected<std::shared_ptr<vector_index>>
  restore(index_params params, std::unique_ptr<hnsw_index> graph,
          std::vector<std::string> ids, std::vector<std::string> metadata);

  /// Items per exclusive-lock chunk of add().
  static constexpr size_t chunk_items = 128;

private:
  vector_index(index_params params, std::unique_ptr<hnsw_index> graph);

  /// The exclusive lock, once no save is reading (see read_for_save).
  std::unique_lock<rw_lock> lock_for_write();

  index_params params_;
  mutable rw_lock lock_;
  // Saves in progress; adds wait on save_done_ while it is not zero.
  mutable std::mutex save_gate_;
  mutable std::condition_variable save_done_;
  mutable int saving_ = 0;
  std::unique_ptr<hnsw_index> graph_;
  // Labels are dense: label i is ids_[i]. Guarded by lock_.
  std::unordered_map<std::string, uint64_t> label_of_;
  std::vector<std::string> ids_;
  std::vector<std::string> metadata_;
  std::atomic<size_t> length_{0};
};

} // namespace lh
