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
#include <vector>

#include "config/error.hpp"
#include "index/filter.hpp"
#include "index/hnsw_index.hpp"
#include "index/id_order.hpp"
#include "index/metadata_index.hpp"
#include "index/rw_lock.hpp"
#include "index/search_plan.hpp"

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

/// Fixed limits of the API (the configurable ones: config/request_limits).
struct index_limits {
  static constexpr size_t max_name_bytes = 128;
  static constexpr uint32_t min_m = 4, max_m = 64;
  static constexpr uint32_t min_ef_construction = 8;
  static constexpr uint32_t max_ef_construction = 4096;
  static constexpr uint32_t min_ef_search = 1, max_ef_search = 4096;
  static constexpr size_t max_id_bytes = 256;
  static constexpr size_t max_get_ids = 1000;
  static constexpr size_t max_delete_ids = 10000;
  static constexpr size_t max_scroll_limit = 1000;
  static constexpr size_t max_batch_searches = 1000;
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
/// cosine), metadata within limits().max_metadata_bytes. The error names the
/// item's position.
expected<void> validate_batch(const index_params& p, const add_batch& batch);

/// Checks a query vector against the index: dimension, finite, norm.
expected<void> validate_query(const index_params& p, std::span<const float> q);

/// 1..max_ids ids, each non-empty and <= max_id_bytes; errors name `what`.
expected<void> validate_id_list(std::string_view what,
                                std::span<const std::string> ids,
                                size_t max_ids);

struct add_result {
  size_t added = 0;
  size_t length = 0;
};

/// A search: the query, how many hits, and what to return with them.
struct search_query {
  std::span<const float> vector;
  size_t k = 10;
  std::optional<size_t> ef;
  std::shared_ptr<const filter> where; // null: every item
  bool with_metadata = true;
  bool with_vector = false;
  std::optional<search_plan> plan{}; // tests and benchmarks force one
};

struct search_hit {
  std::string id;
  float distance = 0;
  std::string metadata;        // raw JSON, "" = none (or not asked for)
  std::vector<float> vector{}; // when asked for (unit length for cosine)
};

/// An item as get and scroll return it.
struct stored_item {
  std::string id;
  std::string metadata;      // raw JSON, "" = none
  std::vector<float> vector; // when asked for
};

struct get_result {
  std::vector<stored_item> items; // in the order asked, found ones only
  std::vector<std::string> missing;
};

/// Items to delete: by id, or every item matching a filter (not both).
struct delete_request {
  std::vector<std::string> ids;
  std::shared_ptr<const filter> where;
};

struct delete_result {
  size_t deleted = 0;
  size_t length = 0;
  std::vector<std::string> removed{}; // their ids, for the log
};

struct scroll_request {
  size_t limit = 100;
  std::optional<std::string> after;
  std::shared_ptr<const filter> where;
  bool with_vector = false;
};

/// The query vector (validate_query), k and ef within their limits.
expected<void> validate_search(const index_params& p, const search_query& q);
expected<void> validate_delete(const delete_request& r);
expected<void> validate_scroll(const scroll_request& r);

struct scroll_page {
  std::vector<stored_item> items; // in id order (bytewise)
  std::optional<std::string> next;
};

/// An index as a save sees it: references into the live index, valid only
/// inside vector_index::read_for_save's callback. ids[i] and metadata[i]
/// belong to graph label i; an empty id is a deleted slot.
/// Where an index stands in its write-ahead log (index/wal_record.hpp):
/// `started` is the record being applied (or the last one), `applied` the
/// last one applied in full. A snapshot holds every record up to
/// `applied` and possibly part of `started` (replay re-applies it: adds
/// are upserts, deletes skip what is gone).
struct log_position {
  uint64_t applied = 0;
  uint64_t started = 0;
};

struct index_view {
  const index_params& params;
  log_position log;
  std::span<const std::string> ids;
  std::span<const std::string> metadata;
  const hnsw_index& graph;
};

struct index_info {
  index_params params;
  size_t length = 0;
  size_t deleted_slots = 0;        // deleted, awaiting reuse by an add
  size_t metadata_index_bytes = 0; // what filters keep (an estimate)
};

class vector_index {
public:
  explicit vector_index(index_params params);

  const index_params& params() const { return params_; }
  size_t length() const { return length_.load(std::memory_order_relaxed); }
  index_info info() const;

  /// Bytes the index holds, estimated: the graph (hnsw_index::memory_bytes),
  /// ids and metadata text, the id map and the filter index.
  size_t memory_bytes() const;

  /// Changes waiting for or being applied by the index actor, and whether
  /// its queue is full: the actor keeps both, for /metrics and for the
  /// HTTP routes, which refuse a change to a full queue before reading
  /// its body.
  void set_queue(size_t depth, bool full) {
    queued_changes_.store(depth, std::memory_order_relaxed);
    queue_full_.store(full, std::memory_order_relaxed);
  }
  size_t queued_changes() const {
    return queued_changes_.load(std::memory_order_relaxed);
  }
  bool queue_full() const {
    return queue_full_.load(std::memory_order_relaxed);
  }

  /// Validates, then inserts or replaces every item. Runs in chunks under
  /// the exclusive lock, releasing it between chunks so that searches are
  /// not starved; each chunk is inserted in parallel on `pool` (when
  /// given). One add or remove runs at a time; the others wait.
  expected<add_result> add(add_batch batch, worker_pool* pool);

  /// The k nearest items matching the query's filter, nearest first (all
  /// of them when fewer match). `ef` defaults to max(k, ef_search). Safe to
  /// call from many threads at once, as are get, count and scroll.
  expected<std::vector<search_hit>> search(const search_query& q) const;
  expected<std::vector<search_hit>> search(std::span<const float> query,
                                           size_t k,
                                           std::optional<size_t> ef) const;

  /// The plan a filtered search with this filter and beam would take.
  search_plan plan_for(const filter& where, size_t beam) const;

  /// Items by id (1..max_get_ids of them), in the order asked.
  expected<get_result> get(std::span<const std::string> ids,
                           bool with_vector) const;

  /// Items matching `where` (null: all).
  size_t count(const filter* where) const;

  /// A page of items in id order after `after`.
  expected<scroll_page> scroll(const scroll_request& r) const;

  /// Deletes by ids (unknown ones are skipped) or by filter, all at once
  /// under the exclusive lock. Freed slots are reused by later adds.
  expected<delete_result> remove(const delete_request& r);

  /// Calls `fn` with a consistent view under the shared lock: searches go
  /// on meanwhile, adds wait, and no add chunk is half seen. The
  /// persistence path encodes straight from it, without a copy. Adds wait
  /// at a gate before the lock: queued on the writer-preferring lock, they
  /// would hold back every new search until the save is done.
  void read_for_save(const std::function<void(const index_view&)>& fn) const;

  /// An index rebuilt from saved parts (LHV1 rehydration): ids[i] and
  /// metadata[i] belong to graph label i, an empty id to a deleted slot
  /// (which the graph must mark deleted). Ids must be unique and as many
  /// as the graph's elements; otherwise ec::corrupt_data.
  static expected<std::shared_ptr<vector_index>>
  restore(index_params params, std::unique_ptr<hnsw_index> graph,
          std::vector<std::string> ids, std::vector<std::string> metadata);

  /// Items per exclusive-lock chunk of add().
  static constexpr size_t chunk_items = 128;

  /// The log position, kept by the one writer (the index actor, or replay):
  /// begin_record before applying record `sequence`, end_record after.
  void begin_record(uint64_t sequence) { started_.store(sequence); }
  void end_record(uint64_t sequence) { applied_.store(sequence); }
  log_position log() const { return {applied_.load(), started_.load()}; }

  /// As the store holds it at record `sequence`: applied and durable up
  /// to there (a loaded snapshot, a replayed record).
  void loaded_at(uint64_t sequence) {
    begin_record(sequence);
    end_record(sequence);
    set_durable(sequence);
  }

  /// The last record durable in the store, which a snapshot must wait for;
  /// `diverged`: a log write failed, so memory holds changes the store
  /// lacks, and this index is being replaced by a reload.
  void set_durable(uint64_t sequence) { durable_.store(sequence); }
  uint64_t durable() const { return durable_.load(); }
  void set_diverged() { diverged_.store(true); }
  bool diverged() const { return diverged_.load(); }

private:
  vector_index(index_params params, std::unique_ptr<hnsw_index> graph);

  /// The exclusive lock, once no save is reading (see read_for_save).
  std::unique_lock<rw_lock> lock_for_write();

  // Under the lock: the slots matching `where`, the normalized query, the
  // item of a live label, and the bookkeeping of one item leaving.
  slot_set matching(const filter& where) const;
  std::optional<uint32_t> live_slot(const std::string& id) const;
  stored_item item_at(uint64_t label, bool with_vector) const;
  // Takes a live item out of the graph, the filter index and the counts;
  // its id stays in ids_ and order_ until remove() drops them all at once.
  void forget(uint64_t label);
  // Labels for a batch's ids: existing ones, freed slots, then new ones.
  expected<std::vector<uint64_t>> assign_labels(const add_batch& batch,
                                                std::vector<bool>& reused);
  // A chunk's vectors are in: index their metadata, mark them live (and
  // give reused slots their ids: see assign_labels).
  void publish(const add_batch& batch, size_t begin, size_t end,
               const std::vector<uint64_t>& labels,
               const std::vector<bool>& reused);

  index_params params_;
  // One add or remove at a time, held across all its chunks: the index
  // actor applies them in order on the worker pool, and an actor that
  // stopped may still have one finishing there when its successor starts.
  std::mutex writer_;
  mutable rw_lock lock_;
  // Saves in progress; adds wait on save_done_ while it is not zero.
  mutable std::mutex save_gate_;
  mutable std::condition_variable save_done_;
  mutable int saving_ = 0;
  std::unique_ptr<hnsw_index> graph_;
  // Labels are dense: label i is ids_[i] ("" once deleted, until reused),
  // and order_ holds the labels of the known ids in id order (for lookups
  // and scroll). All guarded by lock_.
  std::vector<std::string> ids_;
  id_order order_{ids_};
  std::vector<std::string> metadata_;
  std::vector<uint64_t> free_labels_; // deleted, to reuse
  // Filters work on graph slots: the live ones, and their metadata.
  slot_set live_;
  metadata_index filter_index_;
  std::atomic<size_t> length_{0};
  std::atomic<size_t> text_bytes_{0}; // ids and metadata of live items
  std::atomic<size_t> queued_changes_{0};
  std::atomic<bool> queue_full_{false};
  std::atomic<uint64_t> applied_{0}, started_{0}, durable_{0};
  std::atomic<bool> diverged_{false};
};

} // namespace lh
