// The read-mostly name -> index table that HTTP threads read on every
// search without an actor round trip. The registry actor is its only
// writer: it builds a new immutable map and swaps it in atomically.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "index/vector_index.hpp"

namespace lh {

class index_table {
public:
  using map = std::map<std::string, std::shared_ptr<vector_index>, std::less<>>;

  index_table() : current_(std::make_shared<const map>()) {}

  /// The current map; stays valid (and unchanged) while held.
  std::shared_ptr<const map> snapshot() const { return current_.load(); }

  /// The index called `name`, or null.
  std::shared_ptr<vector_index> find(std::string_view name) const {
    auto m = snapshot();
    auto it = m->find(name);
    return it == m->end() ? nullptr : it->second;
  }

  /// Names in sorted order.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (auto& [name, index] : *snapshot())
      out.push_back(name);
    return out;
  }

  /// One page of names in sorted order: at most `limit` names after
  /// `after` (all from the first when empty); `next` is the last name of
  /// the page when more follow, else empty.
  struct name_page {
    std::vector<std::string> names;
    std::string next;
  };
  name_page names_after(std::string_view after, size_t limit) const {
    name_page page;
    auto m = snapshot();
    auto it = after.empty() ? m->begin() : m->upper_bound(after);
    for (; it != m->end() && page.names.size() < limit; ++it)
      page.names.push_back(it->first);
    if (it != m->end() && !page.names.empty())
      page.next = page.names.back();
    return page;
  }

  /// Replaces the map (registry only).
  void publish(std::shared_ptr<const map> next) {
    current_.store(std::move(next));
  }

private:
  std::atomic<std::shared_ptr<const map>> current_;
};

} // namespace lh
