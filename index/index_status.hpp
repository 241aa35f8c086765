// What HTTP threads need to know about indexes beyond the index_table:
// rehydration progress (which names are still loading or failed to load)
// and the indexes whose last save failed. The registry and persistence
// actors publish; /ready and the vector routes read. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "index/rehydration.hpp"

namespace lh {

class index_status {
public:
  /// `persistent` = false for an ephemeral service (nothing is saved).
  explicit index_status(bool persistent)
    : persistent_(persistent),
      rehydration_(persistent ? rehydration_progress{}
                              : rehydration_progress::finished()) {}

  bool persistent() const { return persistent_; }

  void publish(rehydration_progress p) {
    std::lock_guard guard{mtx_};
    rehydration_ = std::move(p);
  }

  void publish_save_failures(std::map<std::string, std::string> failing) {
    std::lock_guard guard{mtx_};
    save_failures_ = std::move(failing);
  }

  rehydration_progress rehydration() const {
    std::lock_guard guard{mtx_};
    return rehydration_;
  }

  std::map<std::string, std::string> save_failures() const {
    std::lock_guard guard{mtx_};
    return save_failures_;
  }

  /// See rehydration_progress::blocks.
  std::optional<error> blocks(std::string_view name) const {
    std::lock_guard guard{mtx_};
    return rehydration_.blocks(name);
  }

private:
  const bool persistent_;
  mutable std::mutex mtx_;
  rehydration_progress rehydration_;
  std::map<std::string, std::string> save_failures_;
};

} // namespace lh
