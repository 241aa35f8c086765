// What filters need from item metadata, in a form cheap to test: for each
// dotted key path, its values -> the slots holding them (strings, numbers
// in order for ranges, bools) and the slots where the key is non-empty.
// Built on add, kept on upsert and delete, rebuilt at rehydration, so a
// filter never re-parses any item's metadata. Used by index/vector_index,
// which guards it with its lock. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "index/filter.hpp"
#include "index/slot_set.hpp"

namespace simdjson::dom {
class parser;
}

namespace lh {

/// The slots holding one value of one key. A sorted vector while it is
/// small against the slot range; a bitset once that is smaller.
class posting {
public:
  void insert(uint32_t slot); // idempotent
  void erase(uint32_t slot);  // idempotent
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  /// out |= this.
  void add_to(slot_set& out) const;
  size_t memory_bytes() const;

private:
  std::vector<uint32_t> sparse_;
  slot_set dense_;
  bool is_dense_ = false;
  size_t count_ = 0;
};

class metadata_index {
public:
  metadata_index();
  ~metadata_index();
  metadata_index(metadata_index&&) noexcept;
  metadata_index& operator=(metadata_index&&) noexcept;

  /// Indexes the metadata of `slot` (a JSON object; "" = none). False when
  /// it is not valid JSON: then nothing is indexed for it.
  bool insert(uint32_t slot, std::string_view metadata_json);

  /// Forgets what insert(slot, metadata_json) indexed.
  void erase(uint32_t slot, std::string_view metadata_json);

  /// Resolves an item id to its slot, for has_id.
  using slot_of_fn = std::function<std::optional<uint32_t>(const std::string&)>;

  /// The slots of `live` that match `f`.
  slot_set evaluate(const filter& f, const slot_set& live,
                    const slot_of_fn& slot_of) const;

  /// Distinct key paths indexed, and an estimate of the bytes held.
  size_t key_count() const { return keys_.size(); }
  size_t memory_bytes() const;

private:
  struct key_values {
    std::unordered_map<std::string, posting> strings;
    std::map<double, posting> numbers;
    posting trues, falses;
    posting present; // the key holds something other than null or []
    bool empty() const;
  };
  template <class Visit>
  bool for_each_value(std::string_view metadata_json, Visit&& visit);
  slot_set evaluate_condition(const filter_condition& c, const slot_set& live,
                              const slot_of_fn& slot_of) const;
  const key_values* find(const std::vector<std::string>& path) const;

  std::unordered_map<std::string, key_values> keys_;
  std::unique_ptr<simdjson::dom::parser> parser_;
};

} // namespace lh
