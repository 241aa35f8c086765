#include "index/rehydration.hpp"

#include <algorithm>

#include "index/lhv1.hpp"
#include "index/vector_index.hpp"

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

void rehydration::listed(const std::vector<std::string>& keys) {
  progress_.listed = true;
  progress_.list_error.clear();
  for (auto& key : keys) {
    auto name = lhv1::name_of(key);
    if (!name) {
      progress_.failed.emplace(key, "not an index blob key");
      continue;
    }
    if (!progress_.loading.insert(*name).second)
      continue; // listed twice: load once
    queue_.push_back(*name);
    ++progress_.total;
  }
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
