// Reading request bodies with simdjson on-demand: the shared steps of the
// /vectors request parsers (http/vector_json, http/item_json). Errors are
// ec::invalid_argument naming the field. Includes simdjson: keep it out
// of headers other parsers' users see.
#pragma once

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "config/error.hpp"
#include "index/filter.hpp"

namespace lh::json {

namespace od = simdjson::ondemand;

error bad(std::string msg);
std::string reason(simdjson::error_code e);
od::parser& thread_parser();

/// `parser`, set to refuse documents nested deeper than `max_depth`
/// (simdjson::DEPTH_ERROR); for the thread's DOM parsers of metadata and
/// filters.
simdjson::dom::parser& limit_depth(simdjson::dom::parser& parser,
                                   size_t max_depth);

/// At the end of its scope, drops the thread's parser buffers when a large
/// body grew them (past 16 MiB): they are sized to the largest document
/// parsed, and one 200 MB body would hold hundreds of MB per I/O thread.
struct parser_release {
  parser_release() = default;
  parser_release(const parser_release&) = delete;
  parser_release& operator=(const parser_release&) = delete;
  ~parser_release();
};

// Parses `body` in place when its capacity leaves simdjson's padding after
// it (request bodies from the server do), else parses a padded copy.
struct padded_input {
  explicit padded_input(const std::string& body);
  simdjson::padded_string copy; // empty when parsed in place
  simdjson::padded_string_view view;
};

/// Opens the root object of a request, or says why it cannot.
expected<od::object> open_root(od::document& doc);
/// After the root object is consumed: anything left is trailing garbage.
expected<void> expect_end(od::document& doc);

/// `set_by` follows the range in the refusal: the config key of a limit.
expected<uint64_t> read_uint(od::value v, std::string_view field, uint64_t lo,
                             uint64_t hi, std::string_view set_by = "");
expected<std::string_view> read_string(od::value v, std::string_view field);
expected<bool> read_bool(od::value v, std::string_view field);
/// Reads a JSON array of numbers into `out` (appending), at most `limit`
/// values. `where` prefixes errors ("item 3: ").
expected<size_t> read_floats(od::value v, std::vector<float>& out, size_t limit,
                             const std::string& where);
/// Metadata: a JSON object, kept as its raw text after a full validation
/// (on-demand parsing skips what it does not read).
expected<std::string> read_metadata(od::value v, const std::string& where);
/// An array of at most max_ids strings, into `out`.
expected<void> read_ids(od::value v, std::string_view field, size_t max_ids,
                        std::vector<std::string>& out);
/// A filter object (see http/filter_json), into `out`.
expected<void> read_filter(od::value v, std::shared_ptr<const filter>& out);

error unknown_field(const std::string& where, std::string_view key);
/// `key` twice in one object: refused everywhere, never last-wins.
error duplicate_field(const std::string& where, std::string_view key);

/// The first key that appears twice in one object anywhere inside `e`
/// (metadata and filters, parsed whole).
std::optional<std::string> find_duplicate_key(simdjson::dom::element e);

/// The keys of one object seen so far; inline for the few keys request
/// objects have (an add's items: id, vector, metadata).
class seen_keys {
public:
  /// False when `key` was seen already.
  bool insert(std::string_view key) {
    for (size_t i = 0; i < std::min(n_, inline_.size()); ++i)
      if (inline_[i] == key)
        return false;
    for (auto k : more_)
      if (k == key)
        return false;
    if (n_ < inline_.size())
      inline_[n_] = key;
    else
      more_.push_back(key);
    ++n_;
    return true;
  }

private:
  std::array<std::string_view, 8> inline_;
  std::vector<std::string_view> more_;
  size_t n_ = 0;
};

/// Calls fn(key, value) for each member of `obj`; stops at the first
/// error. A key that appears twice is an error. `where` prefixes errors
/// ("item 3: ").
template <class F>
expected<void>
for_each_member(od::object obj, const std::string& where, F&& fn) {
  seen_keys seen; // views into the parser's string buffer: valid meanwhile
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key))
      return bad(where + "not valid JSON: " + reason(e));
    if (!seen.insert(key))
      return duplicate_field(where, key);
    od::value v;
    if (auto e = field.value().get(v))
      return bad(where + "not valid JSON: " + reason(e));
    if (auto ok = fn(key, v); !ok)
      return ok;
  }
  return {};
}

/// Parses `body` as one JSON object and calls fn(key, value) per member;
/// trailing text after the object is an error.
template <class F>
expected<void> for_each_root_member(const std::string& body, F&& fn) {
  padded_input input{body};
  parser_release release; // after doc, which reads the parser's buffers
  od::document doc;
  if (auto e = thread_parser().iterate(input.view).get(doc))
    return bad("request body is not valid JSON: " + reason(e));
  auto root = open_root(doc);
  if (!root)
    return root.error();
  if (auto ok = for_each_member(*root, "request body is ", fn); !ok)
    return ok;
  return expect_end(doc);
}

} // namespace lh::json
