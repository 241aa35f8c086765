#include "http/item_json.hpp"

#include "http/json_reader.hpp"
#include "http/json_writer.hpp"
#include "http/vector_json.hpp"

namespace lh::json {

namespace {

// The member get and scroll requests share.
expected<void> read_with_vector(od::value v, bool& out) {
  auto b = read_bool(v, "with_vector");
  if (!b)
    return b.error();
  out = *b;
  return {};
}

void append_items(std::string& out, const std::vector<stored_item>& items) {
  out += "\"items\":[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0)
      out += ',';
    append_item(out, {items[i].id, std::nullopt, items[i].metadata,
                      items[i].vector});
  }
  out += ']';
}

} // namespace

expected<get_request> parse_get(const std::string& body) {
  get_request req;
  bool have_ids = false;
  auto ok = for_each_root_member(
    body, [&](std::string_view key, od::value v) -> expected<void> {
      if (key == "ids") {
        have_ids = true;
        return read_ids(v, "ids", index_limits::max_get_ids, req.ids);
      }
      if (key == "with_vector")
        return read_with_vector(v, req.with_vector);
      return unknown_field("", key);
    });
  if (!ok)
    return ok.error();
  if (!have_ids)
    return bad("ids is required");
  if (auto valid = validate_id_list("ids", req.ids, index_limits::max_get_ids);
      !valid)
    return valid.error();
  return req;
}

expected<delete_request> parse_delete(const std::string& body) {
  delete_request req;
  bool have_ids = false;
  auto ok = for_each_root_member(
    body, [&](std::string_view key, od::value v) -> expected<void> {
      if (key == "ids") {
        have_ids = true;
        return read_ids(v, "ids", index_limits::max_delete_ids, req.ids);
      }
      if (key == "filter")
        return read_filter(v, req.where);
      return unknown_field("", key);
    });
  if (!ok)
    return ok.error();
  if (!have_ids && !req.where)
    return bad("delete needs ids or a filter");
  if (have_ids && req.where)
    return bad("delete takes ids or a filter, not both");
  if (auto valid = validate_delete(req); !valid)
    return valid.error();
  return req;
}

expected<std::shared_ptr<const filter>> parse_count(const std::string& body) {
  std::shared_ptr<const filter> where;
  // An empty body counts everything, as {} does.
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    return where;
  auto ok = for_each_root_member(
    body, [&](std::string_view key, od::value v) -> expected<void> {
      if (key != "filter")
        return unknown_field("", key);
      return read_filter(v, where);
    });
  if (!ok)
    return ok.error();
  return where;
}

expected<scroll_request> parse_scroll(const std::string& body) {
  scroll_request req;
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    return req;
  auto ok = for_each_root_member(
    body, [&](std::string_view key, od::value v) -> expected<void> {
      if (key == "limit") {
        auto n = read_uint(v, "limit", 1, index_limits::max_scroll_limit);
        if (!n)
          return n.error();
        req.limit = *n;
        return {};
      }
      if (key == "after") {
        auto s = read_string(v, "after");
        if (!s)
          return s.error();
        req.after = std::string{*s};
        return {};
      }
      if (key == "filter")
        return read_filter(v, req.where);
      if (key == "with_vector")
        return read_with_vector(v, req.with_vector);
      return unknown_field("", key);
    });
  if (!ok)
    return ok.error();
  if (auto valid = validate_scroll(req); !valid)
    return valid.error();
  return req;
}

std::string render_get(const get_result& r) {
  std::string out = "{";
  append_items(out, r.items);
  out += ",\"missing\":" + string_array(r.missing) + "}";
  return out;
}

std::string render_delete(const delete_result& r) {
  return "{\"deleted\":" + std::to_string(r.deleted)
         + ",\"length\":" + std::to_string(r.length) + "}";
}

std::string render_count(size_t n) {
  return "{\"count\":" + std::to_string(n) + "}";
}

std::string render_scroll(const scroll_page& page) {
  std::string out = "{";
  append_items(out, page.items);
  out += ",\"next\":";
  if (page.next)
    append_quoted(out, *page.next);
  else
    out += "null";
  out += '}';
  return out;
}

} // namespace lh::json
