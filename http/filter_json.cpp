#include "http/filter_json.hpp"

#include "http/json_reader.hpp"

#include "config/request_limits.hpp"

#include <cmath>
#include <string>

#include <simdjson.h>

namespace lh::json {

namespace {

namespace dom = simdjson::dom;

error bad(const std::string& where, const std::string& what) {
  return make_error(ec::invalid_argument, where + ": " + what);
}

// A short rendering of an offending JSON value for error messages.
std::string shown(dom::element e) {
  auto text = simdjson::minify(e);
  if (text.size() > 64)
    text = text.substr(0, 61) + "...";
  return text;
}

std::string index_path(const std::string& where, size_t i) {
  return where + "[" + std::to_string(i) + "]";
}

expected<filter> parse_group(dom::element e, const std::string& where,
                             size_t depth);

// "a.b.c" -> {"a","b","c"}; no empty segment.
expected<std::vector<std::string>> parse_key(dom::element e,
                                             const std::string& where) {
  std::string_view key;
  if (e.get(key) != simdjson::SUCCESS || key.empty())
    return bad(where, "key must be a non-empty string, not " + shown(e));
  std::vector<std::string> path;
  size_t start = 0;
  while (true) {
    auto dot = key.find('.', start);
    auto part = key.substr(start, dot == std::string_view::npos
                                    ? std::string_view::npos
                                    : dot - start);
    if (part.empty())
      return bad(where, "key '" + std::string{key} + "' has an empty segment");
    path.emplace_back(part);
    if (dot == std::string_view::npos)
      return path;
    start = dot + 1;
  }
}

expected<filter_value> parse_value(dom::element e, const std::string& where) {
  switch (e.type()) {
    case dom::element_type::STRING:
      return filter_value{std::string{std::string_view{e}}};
    case dom::element_type::INT64: return filter_value{int64_t{e}};
    case dom::element_type::BOOL: return filter_value{bool{e}};
    default:
      return bad(where,
                 "must be a string, an integer or a bool, not " + shown(e));
  }
}

expected<void> parse_match(dom::element e, const std::string& where,
                           filter_condition& c) {
  dom::object obj;
  if (e.get(obj) != simdjson::SUCCESS || obj.size() != 1)
    return bad(where,
               "must be {\"value\":...} or {\"any\":[...]}, not " + shown(e));
  auto [op, arg] = *obj.begin();
  if (op == "value") {
    auto v = parse_value(arg, where + ".value");
    if (!v)
      return v.error();
    c.what = filter_condition::kind::match_value;
    c.values.push_back(std::move(*v));
    return {};
  }
  if (op == "any") {
    dom::array values;
    if (arg.get(values) != simdjson::SUCCESS)
      return bad(where + ".any", "must be an array, not " + shown(arg));
    size_t i = 0;
    for (auto value : values) {
      auto v = parse_value(value, index_path(where + ".any", i++));
      if (!v)
        return v.error();
      c.values.push_back(std::move(*v));
    }
    c.what = filter_condition::kind::match_any;
    return {};
  }
  return bad(where,
             "unknown match operator '" + std::string{op} + "' (value, any)");
}

expected<void> parse_range(dom::element e, const std::string& where,
                           filter_condition& c) {
  dom::object obj;
  if (e.get(obj) != simdjson::SUCCESS)
    return bad(where, "must be an object of gt, gte, lt, lte, not " + shown(e));
  for (auto [op, arg] : obj) {
    std::optional<double>* bound = op == "gt"    ? &c.gt
                                   : op == "gte" ? &c.gte
                                   : op == "lt"  ? &c.lt
                                   : op == "lte" ? &c.lte
                                                 : nullptr;
    if (bound == nullptr)
      return bad(where, "unknown range operator '" + std::string{op}
                          + "' (gt, gte, lt, lte)");
    double x = 0;
    if (arg.get(x) != simdjson::SUCCESS || !std::isfinite(x))
      return bad(where + "." + std::string{op},
                 "must be a number, not " + shown(arg));
    *bound = x;
  }
  if (!c.gt && !c.gte && !c.lt && !c.lte)
    return bad(where, "a range needs at least one of gt, gte, lt, lte");
  c.what = filter_condition::kind::range;
  return {};
}

bool is_group_key(std::string_view k) {
  return k == "must" || k == "should" || k == "must_not";
}

expected<filter_condition>
parse_condition(dom::element e, const std::string& where, size_t depth) {
  dom::object obj;
  if (e.get(obj) != simdjson::SUCCESS)
    return bad(where, "a condition must be an object, not " + shown(e));
  filter_condition c;
  bool group = obj.size() > 0;
  for (auto [k, v] : obj)
    group = group && is_group_key(k);
  if (group) {
    auto sub = parse_group(e, where, depth + 1);
    if (!sub)
      return sub.error();
    c.what = filter_condition::kind::nested;
    c.sub = std::make_shared<const filter>(std::move(*sub));
    return c;
  }
  dom::element key, match, range, has_id, is_empty;
  bool has_key = false, has_match = false, has_range = false;
  bool has_ids = false, has_is_empty = false;
  for (auto [k, v] : obj) {
    if (k == "key")
      key = v, has_key = true;
    else if (k == "match")
      match = v, has_match = true;
    else if (k == "range")
      range = v, has_range = true;
    else if (k == "has_id")
      has_id = v, has_ids = true;
    else if (k == "is_empty")
      is_empty = v, has_is_empty = true;
    else
      return bad(where, "unknown condition field '" + std::string{k}
                          + "' (key with match or range, has_id, is_empty,"
                            " or must/should/must_not)");
  }
  int forms = int{has_match} + int{has_range} + int{has_ids}
              + int{has_is_empty};
  if (forms != 1 || has_key != (has_match || has_range))
    return bad(where, "a condition is one of {key, match}, {key, range}, "
                      "{has_id} or {is_empty}, not "
                        + shown(e));
  if (has_ids) {
    dom::array ids;
    if (has_id.get(ids) != simdjson::SUCCESS)
      return bad(where + ".has_id",
                 "must be an array of ids, not " + shown(has_id));
    size_t i = 0;
    for (auto id : ids) {
      std::string_view s;
      if (id.get(s) != simdjson::SUCCESS)
        return bad(index_path(where + ".has_id", i),
                   "an id must be a string, not " + shown(id));
      c.ids.emplace_back(s);
      ++i;
    }
    c.what = filter_condition::kind::has_id;
    return c;
  }
  if (has_is_empty) {
    dom::object inner;
    dom::element inner_key;
    if (is_empty.get(inner) != simdjson::SUCCESS || inner.size() != 1
        || inner["key"].get(inner_key) != simdjson::SUCCESS)
      return bad(where + ".is_empty",
                 "must be {\"key\":...}, not " + shown(is_empty));
    auto path = parse_key(inner_key, where + ".is_empty.key");
    if (!path)
      return path.error();
    c.path = std::move(*path);
    c.what = filter_condition::kind::is_empty;
    return c;
  }
  auto path = parse_key(key, where + ".key");
  if (!path)
    return path.error();
  c.path = std::move(*path);
  auto ok = has_match ? parse_match(match, where + ".match", c)
                      : parse_range(range, where + ".range", c);
  if (!ok)
    return ok.error();
  return c;
}

expected<filter> parse_group(dom::element e, const std::string& where,
                             size_t depth) {
  if (depth > limits().max_filter_depth)
    return bad(where, "filters nest deeper than "
                        + std::to_string(limits().max_filter_depth)
                        + " levels (limits.max_filter_depth)");
  dom::object obj;
  if (e.get(obj) != simdjson::SUCCESS)
    return bad(where, "a filter must be an object of must, should, "
                      "must_not, not "
                        + shown(e));
  filter f;
  for (auto [k, v] : obj) {
    auto* list = k == "must"       ? &f.must
                 : k == "should"   ? &f.should
                 : k == "must_not" ? &f.must_not
                                   : nullptr;
    auto at = where + "." + std::string{k};
    if (list == nullptr)
      return bad(where, "unknown filter field '" + std::string{k}
                          + "' (must, should, must_not)");
    dom::array conditions;
    if (v.get(conditions) != simdjson::SUCCESS)
      return bad(at, "must be an array of conditions, not " + shown(v));
    size_t i = 0;
    for (auto condition : conditions) {
      auto c = parse_condition(condition, index_path(at, i++), depth);
      if (!c)
        return c.error();
      list->push_back(std::move(*c));
    }
  }
  return f;
}

} // namespace

expected<filter> parse_filter(std::string_view text) {
  thread_local dom::parser filter_parser;
  // The filter sits one level inside the request.
  auto& parser = limit_depth(filter_parser, limits().max_json_depth - 1);
  dom::element root;
  if (auto e = parser.parse(text.data(), text.size()).get(root)) {
    if (e == simdjson::DEPTH_ERROR)
      return bad("filter", "nests deeper than the request's limit of "
                             + std::to_string(limits().max_json_depth)
                             + " JSON levels (limits.max_json_depth)");
    return bad("filter",
               std::string{"is not valid JSON: "} + simdjson::error_message(e));
  }
  if (auto twice = find_duplicate_key(root))
    return duplicate_field("filter: ", *twice);
  return parse_group(root, "filter", 1);
}

} // namespace lh::json
