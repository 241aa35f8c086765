// JSON <-> domain for the item routes (get, delete, count, scroll): the
// request parsers and reply writers. Pure; the routes in
// http/vector_routes.cpp call them. Errors are ec::invalid_argument naming
// the field.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/error.hpp"
#include "index/vector_index.hpp"

namespace lh::json {

struct get_request {
  std::vector<std::string> ids;
  bool with_vector = false;
};

/// {"ids":[...], "with_vector"?}.
expected<get_request> parse_get(const std::string& body);

/// {"ids":[...]} or {"filter":{...}}.
expected<delete_request> parse_delete(const std::string& body);

/// {"filter"?}: null when absent (count everything).
expected<std::shared_ptr<const filter>> parse_count(const std::string& body);

/// {"limit"?, "after"?, "filter"?, "with_vector"?}.
expected<scroll_request> parse_scroll(const std::string& body);

/// {"items":[{"id","metadata","vector"?}], "missing":[...]}.
std::string render_get(const get_result& r);
/// {"deleted": n, "length": N}.
std::string render_delete(const delete_result& r);
/// {"count": n}.
std::string render_count(size_t n);
/// {"items":[...], "next": "<id>" | null}.
std::string render_scroll(const scroll_page& page);

} // namespace lh::json
