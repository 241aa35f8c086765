// Rehydration at start, as pure logic: which index blobs to load next (at
// most `parallelism` at a time), and which are loaded, failed or still to
// come. The registry actor drives it with the store's answers; HTTP
// threads see its progress() through index/index_status. Tested without
// actors.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/error.hpp"

namespace lh {

/// Where rehydration stands, as /ready and the API report it.
struct rehydration_progress {
  bool listed = false; // the store's list of blobs is in
  size_t total = 0;    // index blobs listed
  size_t loaded = 0;
  std::set<std::string, std::less<>> loading; // listed, not loaded yet
  std::map<std::string, std::string, std::less<>> failed; // name -> why
  std::string list_error; // why the last list failed, "" = none

  bool done() const { return listed && loading.empty(); }

  /// Why index `name` cannot be used or created now: ec::not_ready while
  /// it (or the list) is loading, ec::unavailable when its blob failed to
  /// load. nullopt when nothing stands in the way.
  std::optional<error> blocks(std::string_view name) const;

  /// Nothing to load: an ephemeral service, or a store with no indexes.
  static rehydration_progress finished() {
    rehydration_progress p;
    p.listed = true;
    return p;
  }
};

class rehydration {
public:
  explicit rehydration(size_t parallelism);

  /// The store's keys under the index blob prefix and under the log
  /// prefix: the indexes to load (those with a blob, a log, or both). A
  /// blob key that names no valid index is recorded as failed; log keys
  /// that are not records are ignored.
  void listed(const std::vector<std::string>& blob_keys,
              const std::vector<std::string>& log_keys = {});

  /// An index to load again (its log write failed: memory went ahead of
  /// the store). It is loading, as at start, until loaded() or failed().
  void reload(const std::string& name);

  /// A load in flight ended without the index (the store is down, say)
  /// but is to be tried again: it stays loading, out of the queue, until
  /// retry() queues it again.
  void postpone(const std::string& name);
  void retry(const std::string& name);

  /// The newest log sequence listed for `name` (0 when none): where a
  /// drop of an index that failed to load continues its log.
  uint64_t last_listed_sequence(const std::string& name) const;

  /// The list call failed; the caller retries it after a backoff.
  void list_failed(std::string why);

  /// The next index to start loading, while fewer than `parallelism` are
  /// in flight; nullopt when none may start now.
  std::optional<std::string> next();

  void loaded(const std::string& name);
  void failed(const std::string& name, std::string why);

  /// A failed index was dropped by a user: its name is free again.
  void forget(const std::string& name);

  const rehydration_progress& progress() const { return progress_; }

private:
  size_t parallelism_;
  size_t in_flight_ = 0;
  std::deque<std::string> queue_; // listed, not started
  rehydration_progress progress_;
  std::map<std::string, uint64_t, std::less<>> last_listed_;
};

} // namespace lh
