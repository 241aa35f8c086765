#include "index/save_scheduler.hpp"

namespace lh {

std::optional<save_scheduler::action>
save_scheduler::start(const std::string& name, entry& e) {
  if (e.in_flight || e.waiting_retry || !e.wanted)
    return std::nullopt;
  auto what = *e.wanted;
  e.wanted.reset();
  e.in_flight = true;
  e.current = what;
  return action{what, name};
}

std::optional<save_scheduler::action>
save_scheduler::changed(const std::string& name) {
  auto& e = entries_[name];
  e.wanted = kind::save; // also replaces a pending delete: it was re-created
  return start(name, e);
}

std::optional<save_scheduler::action>
save_scheduler::dropped(const std::string& name) {
  auto& e = entries_[name];
  e.wanted = kind::remove; // a pending save is dropped with the index
  return start(name, e);
}

std::optional<save_scheduler::action>
save_scheduler::finished(const std::string& name, bool ok) {
  auto it = entries_.find(name);
  if (it == entries_.end())
    return std::nullopt;
  auto& e = it->second;
  e.in_flight = false;
  if (!ok) {
    // Redo what failed, unless something newer is wanted already.
    if (!e.wanted)
      e.wanted = e.current;
    ++e.failures;
    e.waiting_retry = true;
    return std::nullopt; // the caller calls retry() after its backoff
  }
  e.failures = 0;
  if (pace_ && e.current == kind::save && e.wanted != kind::remove) {
    e.waiting_retry = true; // a rest; changes meanwhile are saved after it
    return std::nullopt;
  }
  if (!e.wanted) {
    entries_.erase(it);
    return std::nullopt;
  }
  return start(name, e);
}

bool save_scheduler::idle() const {
  for (auto& [name, e] : entries_)
    if (e.in_flight || e.wanted)
      return false;
  return true;
}

bool save_scheduler::waiting(const std::string& name) const {
  auto it = entries_.find(name);
  return it != entries_.end() && it->second.waiting_retry;
}

std::optional<save_scheduler::action>
save_scheduler::retry(const std::string& name) {
  auto it = entries_.find(name);
  if (it == entries_.end() || !it->second.waiting_retry)
    return std::nullopt;
  auto& e = it->second;
  e.waiting_retry = false;
  if (!e.wanted) { // a rest with no change during it
    entries_.erase(it);
    return std::nullopt;
  }
  return start(name, e);
}

uint32_t save_scheduler::failures(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? 0 : it->second.failures;
}

} // namespace lh
