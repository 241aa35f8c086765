// The known ids of an index in id order, as the labels they belong to:
// the id -> label lookup and scroll's order, in 4 bytes per item. An id's
// text lives once, in the index's label -> id vector (label i has id
// ids[i]), which this class reads but never changes. A std::map<std::string,
// label> kept a second copy of each id and an 80-byte node per item. Pure.
//
// Inserts and erases move the tail of one array, so they go in batches:
// an add's new labels merge in one pass, a delete's compact in one pass.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lh {

class id_order {
public:
  /// `ids` must outlive this object; it may grow (labels are positions).
  explicit id_order(const std::vector<std::string>& ids) : ids_(&ids) {}

  size_t size() const { return labels_.size(); }
  /// The label at a position in id order (0 <= position < size()).
  uint32_t at(size_t position) const { return labels_[position]; }

  std::optional<uint32_t> find(std::string_view id) const;
  bool contains(std::string_view id) const { return find(id).has_value(); }
  /// The position of the first id greater than `id` (size() if none).
  size_t upper_bound(std::string_view id) const;

  /// Adds labels whose ids (already in the id vector) are not here yet
  /// and differ from each other: the caller checks, as adds validate a
  /// batch's ids unique and look each up first.
  void insert(std::vector<uint32_t> labels);

  /// Drops every label for which `gone` holds, in one pass. Their ids
  /// must still be in the id vector (the order is kept by them) until
  /// this returns.
  void erase_if(const std::function<bool(uint32_t)>& gone);

  /// Builds the order from scratch; the id of two labels that share one,
  /// if any, so that a restore can report it (the order is then empty).
  std::optional<std::string> assign(std::vector<uint32_t> labels);

  size_t memory_bytes() const { return labels_.capacity() * sizeof(uint32_t); }

private:
  bool id_less(uint32_t a, uint32_t b) const { return id(a) < id(b); }
  std::string_view id(uint32_t label) const { return (*ids_)[label]; }

  const std::vector<std::string>* ids_;
  std::vector<uint32_t> labels_; // sorted by (*ids_)[label]
};

} // namespace lh
