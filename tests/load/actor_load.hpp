// The actor-level load harness: N indexes (dimensions mixed) and M client
// threads driving the vector service the way the HTTP routes do (changes
// through the registry bridge and the index actors, reads straight from
// the index table), without HTTP, for a bounded time. It checks
// invariants as it goes and at the end, and measures every operation.
// Run short by tests/load/actor_load_test.cpp (CI, under ASan too) and in
// full by bench/actor_load.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace lh::load {

struct options {
  size_t indexes = 100;
  size_t clients = 64;
  std::chrono::milliseconds duration{30'000};
  std::vector<uint32_t> dimensions{32, 64, 128, 256, 384, 512, 768};
  /// With an embedded RocksDB under a temporary directory (log writes,
  /// snapshots), as lakehouse runs; then a restart must bring back every
  /// index with the length the clients were told.
  bool persistent = true;
  uint32_t seed = 1;
  /// A request unanswered for this long fails the run (a deadlock).
  std::chrono::milliseconds watchdog{10'000};
  /// The negative control: clients forget the deletes they made, so the
  /// check at rest must find lengths other than their models say.
  bool forget_deletes = false;
};

/// What the clients do, each op picked at random by weight.
enum class op : uint8_t {
  search,        // a random query, k = 10, on a random index
  add,           // 1..32 new items, then a search must find one of them
  upsert,        // new vectors for 1..8 of the client's live items
  delete_ids,    // 1..8 of the client's live items by id
  delete_filter, // every item of the client in an index, by a filter
  create,        // the client's own churn index (409 if it exists)
  drop,          // the churn index; then it must answer not-found
};
inline constexpr size_t op_count = 7;
std::string_view op_name(op o);

struct op_stats {
  size_t done = 0;    // answered as the invariants expect
  size_t refused = 0; // queue_full / overloaded: not applied, retry later
  std::vector<double> latency_us;
};

struct report {
  std::array<op_stats, op_count> ops;
  double seconds = 0;
  /// Each broken invariant, in words (empty: the run passed).
  std::vector<std::string> violations;
  /// Searches for a just-added item that needed a second, exhaustive try.
  size_t recall_retries = 0;
  size_t items_at_end = 0;
  bool restart_checked = false;

  /// A table: op, done, refused, per second, p50 / p99 / max in ms.
  std::string table() const;
};

/// The p-quantile (0..1) of `v`, nearest rank below; 0 when empty. Also
/// used by bench/multi_index.
double percentile(std::vector<double> v, double p);

/// Runs the load and the end checks; blocks for about `o.duration`.
report run(const options& o);

} // namespace lh::load
