// The write-ahead log's group commit, as pure logic: records queue while a
// group is being written; the next group takes everything queued (up to a
// size), so concurrent writers share one synced write. It also keeps each
// index's records in sequence: a record out of order (a gap, a repeat, or
// a late record of an index that was reloaded) is refused, so the log
// never holds a gap. The log writer actor (actors/wal_writer.hpp) drives
// it. Tested without actors.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/error.hpp"

namespace lh {

class group_commit {
public:
  struct entry {
    std::string index;
    uint64_t sequence = 0;
    std::shared_ptr<const std::string> bytes;
    uint64_t token = 0; // the caller's handle for the reply
  };

  /// A group stops growing at this many bytes (one bigger record still
  /// goes, alone).
  static constexpr size_t max_group_bytes = size_t{16} << 20;

  /// The sequence the next record of `index` must have: after a create,
  /// a load or a reload.
  void expect(const std::string& index, uint64_t next);

  /// Queues a record; ec::internal when it is not the next of its index.
  expected<void> offer(entry e);

  /// When no group is being written: the queued records as one group,
  /// which is then in flight. nullopt when busy or nothing is queued. The
  /// returned entries hold the only references to their bytes.
  std::optional<std::vector<entry>> next_group();

  /// The group in flight landed (`ok`) or failed. After a failure, the
  /// queued records of the group's indexes cannot land either (they would
  /// follow a gap): their tokens are returned to be failed too, and those
  /// indexes expect their first failed sequence again.
  std::vector<uint64_t> finished(bool ok);

  bool in_flight() const { return !flight_.empty(); }
  size_t queued() const { return queue_.size(); }

private:
  std::vector<entry> queue_;
  std::vector<entry> flight_;
  std::map<std::string, uint64_t, std::less<>> next_;
};

} // namespace lh
