#include "index/metadata_index.hpp"

#include <algorithm>
#include <limits>

#include <simdjson.h>

namespace lh {

// -- posting -----------------------------------------------------------------

namespace {

// A sparse posting turns into a bitset once it is this large and its
// 4 bytes per slot outweigh the bitset's 1 bit per slot of the range.
constexpr size_t min_dense_count = 256;
constexpr size_t bits_per_sparse_entry = 32;

} // namespace

void posting::insert(uint32_t slot) {
  if (is_dense_) {
    if (!dense_.test(slot)) {
      dense_.set(slot);
      ++count_;
    }
    return;
  }
  auto at = std::lower_bound(sparse_.begin(), sparse_.end(), slot);
  if (at != sparse_.end() && *at == slot)
    return;
  sparse_.insert(at, slot);
  ++count_;
  if (count_ >= min_dense_count
      && count_ * bits_per_sparse_entry >= size_t{sparse_.back()} + 1) {
    dense_ = slot_set{size_t{sparse_.back()} + 1};
    for (auto s : sparse_)
      dense_.set(s);
    std::vector<uint32_t>{}.swap(sparse_);
    is_dense_ = true;
  }
}

void posting::erase(uint32_t slot) {
  if (is_dense_) {
    if (dense_.test(slot)) {
      dense_.reset(slot);
      --count_;
    }
    return;
  }
  auto at = std::lower_bound(sparse_.begin(), sparse_.end(), slot);
  if (at != sparse_.end() && *at == slot) {
    sparse_.erase(at);
    --count_;
  }
}

void posting::add_to(slot_set& out) const {
  if (is_dense_) {
    out |= dense_;
    return;
  }
  if (!sparse_.empty())
    out.grow(size_t{sparse_.back()} + 1);
  for (auto s : sparse_)
    out.set(s);
}

size_t posting::memory_bytes() const {
  return sizeof(posting) + sparse_.capacity() * sizeof(uint32_t)
         + dense_.memory_bytes();
}

// -- metadata_index
// ------------------------------------------------------------

metadata_index::metadata_index()
  : parser_(std::make_unique<simdjson::dom::parser>()) {
}
metadata_index::~metadata_index() = default;
metadata_index::metadata_index(metadata_index&&) noexcept = default;
metadata_index& metadata_index::operator=(metadata_index&&) noexcept = default;

bool metadata_index::key_values::empty() const {
  return strings.empty() && numbers.empty() && trues.empty() && falses.empty()
         && present.empty();
}

namespace {

// One thing found at a key path of an item's metadata.
struct found_value {
  enum class kind { present, string, number, boolean };
  static found_value present() { return {kind::present, {}, 0, false}; }
  kind what;
  std::string_view text;
  double number;
  bool boolean;
};

// Walks a metadata value depth first. Objects extend the path with
// ".key"; array elements stay at the array's path (so a match on "tags"
// finds "x" in ["x","y"]). null and [] add nothing: is_empty holds there.
template <class Visit>
void walk(simdjson::dom::element e, std::string& path, Visit& visit) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      if (!path.empty())
        visit(path, found_value::present());
      simdjson::dom::object object;
      if (e.get(object) != simdjson::SUCCESS)
        return;
      for (auto field : object) {
        auto size = path.size();
        if (!path.empty())
          path += '.';
        path += field.key;
        walk(field.value, path, visit);
        path.resize(size);
      }
      return;
    }
    case element_type::ARRAY: {
      simdjson::dom::array array;
      if (e.get(array) != simdjson::SUCCESS)
        return;
      if (array.size() > 0)
        visit(path, found_value::present());
      for (auto item : array)
        walk(item, path, visit);
      return;
    }
    case element_type::STRING:
      visit(path, found_value::present());
      visit(path, found_value{found_value::kind::string,
                              e.get_string().value_unsafe(), 0, false});
      return;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      visit(path, found_value::present());
      visit(path, found_value{found_value::kind::number,
                              {},
                              e.get_double().value_unsafe(),
                              false});
      return;
    case element_type::BOOL:
      visit(path, found_value::present());
      visit(path,
            found_value{
              found_value::kind::boolean, {}, 0, e.get_bool().value_unsafe()});
      return;
    case element_type::NULL_VALUE: return;
  }
}

} // namespace

template <class Visit>
bool metadata_index::for_each_value(std::string_view metadata_json,
                                    Visit&& visit) {
  if (metadata_json.empty())
    return true;
  simdjson::dom::element root;
  if (parser_->parse(metadata_json.data(), metadata_json.size()).get(root)
      != simdjson::SUCCESS)
    return false;
  if (root.type() != simdjson::dom::element_type::OBJECT)
    return true; // only objects have keys to filter on
  std::string path;
  walk(root, path, visit);
  return true;
}

bool metadata_index::insert(uint32_t slot, std::string_view metadata_json) {
  return for_each_value(metadata_json,
                        [&](const std::string& path, const found_value& v) {
                          auto& kv = keys_[path];
                          switch (v.what) {
                            case found_value::kind::present:
                              kv.present.insert(slot);
                              break;
                            case found_value::kind::string:
                              kv.strings[std::string{v.text}].insert(slot);
                              break;
                            case found_value::kind::number:
                              kv.numbers[v.number].insert(slot);
                              break;
                            case found_value::kind::boolean:
                              (v.boolean ? kv.trues : kv.falses).insert(slot);
                              break;
                          }
                        });
}

void metadata_index::erase(uint32_t slot, std::string_view metadata_json) {
  for_each_value(metadata_json,
                 [&](const std::string& path, const found_value& v) {
                   auto key = keys_.find(path);
                   if (key == keys_.end())
                     return;
                   auto& kv = key->second;
                   // Postings left empty are dropped, so churn through distinct
                   // values does not leave a trail behind.
                   auto erase_in = [slot](auto& map, const auto& value) {
                     if (auto it = map.find(value); it != map.end()) {
                       it->second.erase(slot);
                       if (it->second.empty())
                         map.erase(it);
                     }
                   };
                   switch (v.what) {
                     case found_value::kind::present:
                       kv.present.erase(slot);
                       break;
                     case found_value::kind::string:
                       erase_in(kv.strings, std::string{v.text});
                       break;
                     case found_value::kind::number:
                       erase_in(kv.numbers, v.number);
                       break;
                     case found_value::kind::boolean:
                       (v.boolean ? kv.trues : kv.falses).erase(slot);
                       break;
                   }
                   if (kv.empty())
                     keys_.erase(key);
                 });
}

const metadata_index::key_values*
metadata_index::find(const std::vector<std::string>& path) const {
  std::string joined;
  for (auto& part : path) {
    if (!joined.empty())
      joined += '.';
    joined += part;
  }
  auto it = keys_.find(joined);
  return it == keys_.end() ? nullptr : &it->second;
}

namespace {

// The slots holding `value` at a key (numbers compare as doubles).
void add_matches(const auto& kv, const filter_value& value, slot_set& out) {
  if (auto* s = std::get_if<std::string>(&value)) {
    if (auto it = kv.strings.find(*s); it != kv.strings.end())
      it->second.add_to(out);
  } else if (auto* i = std::get_if<int64_t>(&value)) {
    if (auto it = kv.numbers.find(static_cast<double>(*i));
        it != kv.numbers.end())
      it->second.add_to(out);
  } else {
    (std::get<bool>(value) ? kv.trues : kv.falses).add_to(out);
  }
}

// The slots holding a number within the condition's bounds.
void add_range(const auto& kv, const filter_condition& c, slot_set& out) {
  // The tighter lower bound of gt and gte, then every number up to the
  // upper bounds (each distinct number has its own posting).
  double low = -std::numeric_limits<double>::infinity();
  bool inclusive = true;
  if (c.gte && *c.gte > low)
    low = *c.gte;
  if (c.gt && *c.gt >= low) {
    low = *c.gt;
    inclusive = false;
  }
  auto it = inclusive ? kv.numbers.lower_bound(low)
                      : kv.numbers.upper_bound(low);
  for (; it != kv.numbers.end(); ++it) {
    if ((c.lt && !(it->first < *c.lt)) || (c.lte && !(it->first <= *c.lte)))
      break;
    it->second.add_to(out);
  }
}

} // namespace

slot_set metadata_index::evaluate_condition(const filter_condition& c,
                                            const slot_set& live,
                                            const slot_of_fn& slot_of) const {
  using kind = filter_condition::kind;
  slot_set out{live.universe()};
  switch (c.what) {
    case kind::match_value:
    case kind::match_any:
      if (auto* kv = find(c.path))
        for (auto& v : c.values)
          add_matches(*kv, v, out);
      break;
    case kind::range:
      if (auto* kv = find(c.path))
        add_range(*kv, c, out);
      break;
    case kind::has_id:
      for (auto& id : c.ids)
        if (auto slot = slot_of(id))
          out.set(*slot);
      break;
    case kind::is_empty:
      out = live;
      if (auto* kv = find(c.path)) {
        slot_set present{live.universe()};
        kv->present.add_to(present);
        out.subtract(present);
      }
      break;
    case kind::nested: return evaluate(*c.sub, live, slot_of);
  }
  return out;
}

slot_set metadata_index::evaluate(const filter& f, const slot_set& live,
                                  const slot_of_fn& slot_of) const {
  slot_set out = live;
  for (auto& c : f.must)
    out &= evaluate_condition(c, live, slot_of);
  if (!f.should.empty()) {
    slot_set any{live.universe()};
    for (auto& c : f.should)
      any |= evaluate_condition(c, live, slot_of);
    out &= any;
  }
  for (auto& c : f.must_not)
    out.subtract(evaluate_condition(c, live, slot_of));
  return out;
}

size_t metadata_index::memory_bytes() const {
  // Map nodes are estimated at two pointers and a hash beside their pair.
  constexpr size_t node_overhead = 3 * sizeof(void*);
  size_t bytes = keys_.bucket_count() * sizeof(void*);
  for (auto& [path, kv] : keys_) {
    bytes += node_overhead + sizeof(path) + path.capacity() + sizeof(kv)
             + kv.trues.memory_bytes() + kv.falses.memory_bytes()
             + kv.present.memory_bytes()
             + kv.strings.bucket_count() * sizeof(void*);
    for (auto& [value, p] : kv.strings)
      bytes += node_overhead + sizeof(value) + value.capacity()
               + p.memory_bytes();
    for (auto& [value, p] : kv.numbers)
      bytes += node_overhead + sizeof(value) + p.memory_bytes();
  }
  return bytes;
}

} // namespace lh
