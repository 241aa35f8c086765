#include "index/id_order.hpp"

#include <algorithm>

namespace lh {

std::optional<uint32_t> id_order::find(std::string_view wanted) const {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), wanted,
                             [this](uint32_t label, std::string_view v) {
                               return id(label) < v;
                             });
  if (it == labels_.end() || id(*it) != wanted)
    return std::nullopt;
  return *it;
}

size_t id_order::upper_bound(std::string_view after) const {
  auto it = std::upper_bound(labels_.begin(), labels_.end(), after,
                             [this](std::string_view v, uint32_t label) {
                               return v < id(label);
                             });
  return static_cast<size_t>(it - labels_.begin());
}

void id_order::insert(std::vector<uint32_t> labels) {
  if (labels.empty())
    return;
  auto less = [this](uint32_t a, uint32_t b) { return id_less(a, b); };
  std::sort(labels.begin(), labels.end(), less);
  // Merge from the back into the grown array: no second buffer, and each
  // old label moves once.
  auto old_size = labels_.size();
  labels_.resize(old_size + labels.size());
  auto out = labels_.end();
  auto old_end = labels_.begin() + static_cast<std::ptrdiff_t>(old_size);
  auto added = labels.end();
  while (added != labels.begin()) {
    if (old_end != labels_.begin() && less(*(added - 1), *(old_end - 1)))
      *--out = *--old_end;
    else
      *--out = *--added;
  }
}

void id_order::erase_if(const std::function<bool(uint32_t)>& gone) {
  std::erase_if(labels_, gone);
}

std::optional<std::string> id_order::assign(std::vector<uint32_t> labels) {
  auto less = [this](uint32_t a, uint32_t b) { return id_less(a, b); };
  std::sort(labels.begin(), labels.end(), less);
  auto twice = std::adjacent_find(labels.begin(), labels.end(),
                                  [this](uint32_t a, uint32_t b) {
                                    return id(a) == id(b);
                                  });
  if (twice != labels.end()) {
    labels_.clear();
    return std::string{id(*twice)};
  }
  labels_ = std::move(labels);
  return std::nullopt;
}

} // namespace lh
