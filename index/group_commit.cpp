#include "index/group_commit.hpp"

#include <algorithm>

namespace lh {

void group_commit::expect(const std::string& index, uint64_t next) {
  next_[index] = next;
}

expected<void> group_commit::offer(entry e) {
  auto it = next_.find(e.index);
  if (it != next_.end() && it->second != e.sequence)
    return make_error(ec::internal,
                      "log record " + std::to_string(e.sequence) + " of '"
                        + e.index + "' is out of order (expected "
                        + std::to_string(it->second) + ")");
  next_[e.index] = e.sequence + 1;
  queue_.push_back(std::move(e));
  return {};
}

std::optional<std::vector<group_commit::entry>> group_commit::next_group() {
  if (in_flight() || queue_.empty())
    return std::nullopt;
  size_t bytes = 0, n = 0;
  while (n < queue_.size() && (n == 0 || bytes < max_group_bytes))
    bytes += queue_[n++].bytes->size();
  std::vector<entry> group(std::make_move_iterator(queue_.begin()),
                           std::make_move_iterator(queue_.begin() + n));
  queue_.erase(queue_.begin(), queue_.begin() + n);
  // The group's bytes are the caller's alone, so it can free them once
  // they are copied into the write (a 150 MB batch's record must not stay).
  flight_ = group;
  for (auto& e : flight_)
    e.bytes.reset();
  return group;
}

std::vector<uint64_t> group_commit::finished(bool ok) {
  std::vector<uint64_t> failed;
  if (!ok) {
    // The first failed sequence of each index in the group.
    std::map<std::string, uint64_t, std::less<>> first;
    for (auto& e : flight_)
      first.emplace(e.index, e.sequence);
    std::erase_if(queue_, [&](const entry& e) {
      if (!first.contains(e.index))
        return false;
      failed.push_back(e.token);
      return true;
    });
    for (auto& [index, sequence] : first)
      next_[index] = sequence;
  }
  flight_.clear();
  return failed;
}

} // namespace lh
