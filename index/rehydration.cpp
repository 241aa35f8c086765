#include "index/rehydration.hpp"

#include <algorithm>

#include "index/lhv1.hpp"
#include "index/vector_index.hpp"
#include "index/wal_record.hpp"

namespace lh {

std::optional<error> rehydration_progress::blocks(std::string_view name) const {
  if (!listed)
    return make_error(ec::not_ready,
                      "indexes are still being listed from the store"
                        + (list_error.empty()
                             ? std::string{}
                             : " (last try: " + list_error + ")"));
  if (loading.contains(name))
    return make_error(ec::not_ready, "index '" + std::string{name}
                                       + "' is still loading ("
                                       + std::to_string(loaded) + "/"
                                       + std::to_string(total) + " loaded)");
  if (auto it = failed.find(name); it != failed.end())
    return make_error(ec::unavailable,
                      "index '" + std::string{name}
                        + "' could not be loaded at start: " + it->second
                        + "; restart to try again, or DELETE it to discard "
                          "its stored blob");
  return std::nullopt;
}

rehydration::rehydration(size_t parallelism)
  : parallelism_(std::max<size_t>(parallelism, 1)) {
}

void rehydration::listed(const std::vector<std::string>& blob_keys,
                         const std::vector<std::string>& log_keys) {
  progress_.listed = true;
  progress_.list_error.clear();
  auto to_load = [this](const std::string& name) {
    if (!progress_.loading.insert(name).second)
      return; // listed twice: load once
    queue_.push_back(name);
    ++progress_.total;
  };
  for (auto& key : blob_keys) {
    if (auto name = lhv1::name_of(key))
      to_load(*name);
    else
      progress_.failed.emplace(key, "not an index blob key");
  }
  for (auto& key : log_keys)
    if (auto record = wal::parse_key(key)) {
      auto& last = last_listed_[record->index];
      last = std::max(last, record->sequence);
      to_load(record->index);
    }
}

void rehydration::reload(const std::string& name) {
  if (!progress_.loading.insert(name).second)
    return;
  progress_.failed.erase(name);
  queue_.push_back(name);
  ++progress_.total;
}

void rehydration::postpone(const std::string& name) {
  if (progress_.loading.contains(name))
    --in_flight_;
}

void rehydration::retry(const std::string& name) {
  if (progress_.loading.contains(name))
    queue_.push_back(name);
}

uint64_t rehydration::last_listed_sequence(const std::string& name) const {
  auto it = last_listed_.find(name);
  return it == last_listed_.end() ? 0 : it->second;
}

void rehydration::list_failed(std::string why) {
  progress_.list_error = std::move(why);
}

std::optional<std::string> rehydration::next() {
  if (queue_.empty() || in_flight_ >= parallelism_)
    return std::nullopt;
  ++in_flight_;
  auto name = std::move(queue_.front());
  queue_.pop_front();
  return name;
}

void rehydration::loaded(const std::string& name) {
  if (progress_.loading.erase(name) == 0)
    return;
  --in_flight_;
  ++progress_.loaded;
}

void rehydration::failed(const std::string& name, std::string why) {
  if (progress_.loading.erase(name) == 0)
    return;
  --in_flight_;
  progress_.failed[name] = std::move(why);
}

void rehydration::forget(const std::string& name) {
  progress_.failed.erase(name);
}

} // namespace lh
