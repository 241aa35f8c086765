#include "http/json_reader.hpp"

#include <cfloat>
#include <cmath>
#include <memory>

#include "http/filter_json.hpp"
#include "http/message.hpp"
#include "config/request_limits.hpp"
#include "index/vector_index.hpp"

namespace lh::json {

error bad(std::string msg) {
  return make_error(ec::invalid_argument, std::move(msg));
}

std::string reason(simdjson::error_code e) {
  return simdjson::error_message(e);
}

namespace {

// Metadata may nest this deep itself: with the request's own three levels
// (root, items, item) a request never nests deeper than limits.max_json_depth.
size_t max_metadata_depth() {
  return limits().max_json_depth - 3;
}

} // namespace

namespace {
od::parser& parser_slot() {
  thread_local od::parser parser;
  return parser;
}
} // namespace

simdjson::dom::parser& limit_depth(simdjson::dom::parser& parser,
                                   size_t max_depth) {
  // The depth is fixed when the parser allocates, and parse() reallocates
  // with the parser's current depth: setting it once (again when the limit
  // changed) is enough. simdjson refuses a document nested as deep as its
  // max_depth, hence the + 1. A failed allocation leaves parse() to
  // allocate itself and report it.
  if (parser.max_depth() != max_depth + 1) {
    if (parser.allocate(std::max<size_t>(parser.capacity(), 4096),
                        max_depth + 1)) {
    }
  }
  return parser;
}

od::parser& thread_parser() {
  return parser_slot();
}

parser_release::~parser_release() {
  auto& parser = parser_slot();
  if (parser.capacity() > (size_t{16} << 20))
    parser = od::parser{};
}

padded_input::padded_input(const std::string& body) {
  if (body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING) {
    view = simdjson::padded_string_view{body.data(), body.size(),
                                        body.capacity()};
    return;
  }
  copy = simdjson::padded_string{body};
  view = simdjson::padded_string_view{copy.data(), copy.size(),
                                      copy.size() + simdjson::SIMDJSON_PADDING};
}
static_assert(http::body_padding >= simdjson::SIMDJSON_PADDING);

expected<od::object> open_root(od::document& doc) {
  od::object root;
  if (auto e = doc.get_object().get(root))
    return bad(e == simdjson::INCORRECT_TYPE
                 ? std::string{"request body must be a JSON object"}
                 : "request body is not valid JSON: " + reason(e));
  return root;
}

expected<void> expect_end(od::document& doc) {
  const char* at = nullptr;
  if (doc.current_location().get(at) == simdjson::SUCCESS)
    return bad("unexpected text after the JSON object");
  return {};
}

expected<uint64_t> read_uint(od::value v, std::string_view field, uint64_t lo,
                             uint64_t hi, std::string_view set_by) {
  uint64_t x = 0;
  auto e = v.get_uint64().get(x);
  if (e || x < lo || x > hi)
    return bad(std::string{field} + " must be an integer in "
               + std::to_string(lo) + ".." + std::to_string(hi)
               + std::string{set_by});
  return x;
}

expected<std::string_view> read_string(od::value v, std::string_view field) {
  std::string_view s;
  if (v.get_string().get(s))
    return bad(std::string{field} + " must be a string");
  return s;
}

expected<size_t> read_floats(od::value v, std::vector<float>& out, size_t limit,
                             const std::string& where) {
  od::array arr;
  if (v.get_array().get(arr))
    return bad(where + "vector must be an array of numbers");
  size_t n = 0;
  for (auto element : arr) {
    double d;
    if (auto e = element.get_double().get(d)) {
      if (e == simdjson::INCORRECT_TYPE)
        return bad(where + "vector value " + std::to_string(n)
                   + " is not a number");
      return bad(where + "vector value " + std::to_string(n)
                 + " is not a valid number: " + reason(e));
    }
    if (!(std::fabs(d) <= FLT_MAX))
      return bad(where + "vector value " + std::to_string(n)
                 + " is out of float32 range");
    if (++n > limit)
      return bad(where + "vector has more than " + std::to_string(limit)
                 + " values");
    out.push_back(static_cast<float>(d));
  }
  return n;
}

expected<std::string> read_metadata(od::value v, const std::string& where) {
  od::json_type type;
  if (auto e = v.type().get(type))
    return bad(where + "metadata is not valid JSON: " + reason(e));
  if (type == od::json_type::null)
    return std::string{};
  od::object obj;
  if (type != od::json_type::object || v.get_object().get(obj))
    return bad(where + "metadata must be a JSON object");
  std::string_view raw;
  if (auto e = obj.raw_json().get(raw))
    return bad(where + "metadata is not valid JSON: " + reason(e));
  if (raw.size() > limits().max_metadata_bytes)
    return bad(where + "metadata is " + std::to_string(raw.size())
               + " bytes, over the limit of "
               + std::to_string(limits().max_metadata_bytes)
               + " (limits.max_metadata_bytes)");
  thread_local simdjson::dom::parser metadata_parser;
  auto& checker = limit_depth(metadata_parser, max_metadata_depth());
  simdjson::dom::element parsed;
  if (auto e = checker.parse(raw.data(), raw.size()).get(parsed)) {
    if (e == simdjson::DEPTH_ERROR)
      return bad(where + "metadata nests deeper than "
                 + std::to_string(max_metadata_depth())
                 + " levels (limits.max_json_depth)");
    return bad(where + "metadata is not valid JSON: " + reason(e));
  }
  if (auto twice = find_duplicate_key(parsed))
    return duplicate_field(where + "metadata: ", *twice);
  return std::string{raw};
}

error unknown_field(const std::string& where, std::string_view key) {
  return bad(where + "unknown field '" + std::string{key} + "'");
}

error duplicate_field(const std::string& where, std::string_view key) {
  return bad(where + "refused: field '" + std::string{key}
             + "' appears twice in one object");
}

std::optional<std::string> find_duplicate_key(simdjson::dom::element e) {
  if (e.is_array()) {
    for (auto item : simdjson::dom::array(e))
      if (auto d = find_duplicate_key(item))
        return d;
    return std::nullopt;
  }
  if (!e.is_object())
    return std::nullopt;
  std::vector<std::string_view> keys;
  for (auto [key, value] : simdjson::dom::object(e)) {
    keys.push_back(key);
    if (auto d = find_duplicate_key(value))
      return d;
  }
  std::sort(keys.begin(), keys.end());
  auto twice = std::adjacent_find(keys.begin(), keys.end());
  if (twice != keys.end())
    return std::string{*twice};
  return std::nullopt;
}

expected<bool> read_bool(od::value v, std::string_view field) {
  bool b = false;
  if (v.get_bool().get(b))
    return bad(std::string{field} + " must be true or false");
  return b;
}

expected<void> read_ids(od::value v, std::string_view field, size_t max_ids,
                        std::vector<std::string>& out) {
  od::array arr;
  if (v.get_array().get(arr))
    return bad(std::string{field} + " must be an array of ids");
  std::vector<std::string> ids;
  for (auto element : arr) {
    std::string_view id;
    if (element.get_string().get(id))
      return bad(std::string{field} + "[" + std::to_string(ids.size())
                 + "] must be a string");
    if (ids.size() == max_ids)
      return bad(std::string{field} + " lists more than "
                 + std::to_string(max_ids) + " ids");
    ids.emplace_back(id);
  }
  out = std::move(ids);
  return {};
}

expected<void> read_filter(od::value v, std::shared_ptr<const filter>& out) {
  od::object obj;
  if (v.get_object().get(obj))
    return bad("filter must be a JSON object");
  std::string_view raw;
  if (auto e = obj.raw_json().get(raw))
    return bad("filter is not valid JSON: " + reason(e));
  auto f = parse_filter(raw);
  if (!f)
    return f.error();
  out = std::make_shared<const filter>(std::move(*f));
  return {};
}

} // namespace lh::json
