// The metadata filter of search, count, scroll and delete, as plain data:
// {"must","should","must_not"} groups of conditions (Qdrant's language).
// Parsed from JSON by http/filter_json; evaluated by the engine. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace lh {

/// A value a condition compares metadata with: string, integer or bool.
using filter_value = std::variant<std::string, int64_t, bool>;

struct filter;

struct filter_condition {
  enum class kind {
    match_value, // key == value (or an array at key holds value)
    match_any,   // key == one of values
    range,       // a number at key within the bounds
    has_id,      // the item's id is one of ids
    is_empty,    // key missing, null or []
    nested,      // a whole filter, as one condition
  };
  kind what = kind::match_value;
  std::vector<std::string> path;          // the dotted key, split at '.'
  std::vector<filter_value> values;       // match_value: one; match_any: any
  std::optional<double> gt, gte, lt, lte; // range: at least one
  std::vector<std::string> ids;           // has_id
  std::shared_ptr<const filter> sub;      // nested
};

/// An item matches when every `must` holds, at least one `should` holds
/// (if there are any) and no `must_not` holds. The empty filter matches
/// every item.
struct filter {
  std::vector<filter_condition> must, should, must_not;

  bool empty() const {
    return must.empty() && should.empty() && must_not.empty();
  }
};

} // namespace lh
