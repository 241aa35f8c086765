// When to save or delete each index's blob, as pure logic: at most one
// store call per index in flight; change notices that arrive meanwhile
// collapse into ONE more save of the newest state; a drop turns into a
// delete that runs after any save in flight, so that save cannot bring the
// blob back. With pacing, an index rests after each save (the caller's
// timer): changes meanwhile wait and collapse into one save after it, so
// a busy big index is not re-encoded (under its lock) all the time. Used
// by the persistence actor; tested without actors.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace lh {

class save_scheduler {
public:
  enum class kind { save, remove };

  struct action {
    kind what;
    std::string name;
    bool operator==(const action&) const = default;
  };

  /// `pace_saves`: an index rests after each save (see above).
  explicit save_scheduler(bool pace_saves = false) : pace_(pace_saves) {}

  /// The index changed (created or mutated): a save to start now, or
  /// nothing when a call for it is in flight (it will follow).
  std::optional<action> changed(const std::string& name);

  /// The index was dropped: a delete to start now, or nothing when a call
  /// is in flight (the delete follows it, and no save will).
  std::optional<action> dropped(const std::string& name);

  /// The call in flight for `name` ended. On failure the same call is
  /// wanted again after a backoff; with pacing, a save is followed by a
  /// rest. Either way waiting(name) is true and the caller calls
  /// retry(name) when its timer fires. Returns the next call to start
  /// now, if any.
  std::optional<action> finished(const std::string& name, bool ok);

  /// `name` waits for the caller's timer (backoff or pause).
  bool waiting(const std::string& name) const;

  /// After the wait: the call to start now (the newest wanted one: a save,
  /// or a delete when the index was dropped meanwhile).
  std::optional<action> retry(const std::string& name);

  /// Consecutive failures of `name` (for backoff and /ready detail).
  uint32_t failures(const std::string& name) const;

  /// Nothing in flight and nothing wanted (resting indexes are idle).
  bool idle() const;

private:
  struct entry {
    bool in_flight = false;
    bool waiting_retry = false;
    kind current = kind::save;  // the call in flight
    std::optional<kind> wanted; // what must happen after the call in flight
    uint32_t failures = 0;
  };
  std::optional<action> start(const std::string& name, entry& e);

  bool pace_;
  std::map<std::string, entry> entries_;
};

} // namespace lh
