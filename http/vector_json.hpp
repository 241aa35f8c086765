// JSON <-> domain for the /vectors API: simdjson (on-demand) in, text out.
// Pure functions; the routes in http/vector_routes.cpp call them. Errors
// are ec::invalid_argument with a message naming the field or item.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/error.hpp"
#include "index/vector_index.hpp"

namespace lh::json {

// Each parser takes the body as a string: one whose capacity leaves
// simdjson's padding after it (the server reserves http::body_padding) is
// parsed in place, any other is copied first.

/// {"name","dimension","distance", optional "m","ef_construction",
/// "ef_search"}; validated with validate_params.
expected<index_params> parse_create(const std::string& body);

/// Above this size an add body is split into its items, each parsed alone
/// (http/json_skim.hpp): simdjson's index of a whole body would be larger
/// than the body, and the thread's parser keeps it (a 1000 x 784 batch
/// left ~12 MiB resident per I/O thread). Splitting costs ~20% more parse
/// time (bench/codec: 6.4 vs 5.3 ms per such body), ~0.5% of inserting it.
inline constexpr size_t split_add_above = size_t{1} << 20;

/// {"items":[{"id","vector","metadata"?}]}: vectors must have `dimension`
/// values (checked while parsing, so a huge wrong batch fails early).
/// `split_above`: tests use 0 to split small bodies too.
expected<add_batch> parse_add(const std::string& body, uint32_t dimension,
                              size_t split_above = split_add_above);

struct search_request {
  std::vector<float> vector;
  size_t k = 10;
  std::optional<size_t> ef;
  std::shared_ptr<const filter> where;
  bool with_metadata = true;
  bool with_vector = false;
};

/// {"vector", "k", optional "ef", "filter", "with_metadata",
/// "with_vector"}.
expected<search_request> parse_search(const std::string& body);

/// {"searches":[search, ...]}: 1..index_limits::max_batch_searches, each
/// as parse_search reads one; an error names the search's position.
expected<std::vector<search_request>>
parse_search_batch(const std::string& body);

// Replies off the hot path are written with Boost.JSON; search and add
// replies (every request of a load) with the hand-written writer, which
// skips building a JSON value first.
std::string render_info(const index_info& info);
/// `{"names":[...],"next":name|null}`: one page of index names; `next`
/// (null on the last page) is the `after` of the following page.
std::string render_names(const std::vector<std::string>& names,
                         std::string_view next);
std::string render_add(const add_result& result);
std::string render_hits(const std::vector<search_hit>& hits,
                        bool with_metadata = true);
/// A JSON array of hits, appended to `out` (one search's part of a batch).
void append_hits(std::string& out, const std::vector<search_hit>& hits,
                 bool with_metadata);
/// {"results":[hits, hits, ...]}: each element already a JSON array.
std::string render_batch_hits(const std::vector<std::string>& hit_lists);

/// Appends a float as the shortest text that reads back to the same float;
/// a vector as an array of them; raw metadata JSON, or null when "".
void append_float(std::string& out, float value);
void append_floats(std::string& out, std::span<const float> values);
void append_metadata(std::string& out, std::string_view metadata);

/// One item of a reply: {"id", "distance"?, "metadata"?, "vector"?}; the
/// vector only when it is not empty.
struct item_fields {
  std::string_view id;
  std::optional<float> distance;
  std::optional<std::string_view> metadata;
  std::span<const float> vector;
};
void append_item(std::string& out, const item_fields& item);

} // namespace lh::json
