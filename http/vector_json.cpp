#include "http/vector_json.hpp"

#include <cfloat>
#include <charconv>
#include <cmath>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <simdjson.h>

#include "http/json_writer.hpp"
#include "http/message.hpp"

namespace lh::json {

namespace od = simdjson::ondemand;

namespace {

error bad(std::string msg) {
  return make_error(ec::invalid_argument, std::move(msg));
}

std::string reason(simdjson::error_code e) {
  return simdjson::error_message(e);
}

// Metadata may nest this deep itself: with the request's own three levels
// (root, items, item) a request never nests deeper than 64.
constexpr size_t max_metadata_depth = 61;

od::parser& thread_parser() {
  thread_local od::parser parser;
  return parser;
}

// Parses `body` in place when its capacity leaves simdjson's padding after
// it (request bodies from the server do), else parses a padded copy.
struct padded_input {
  explicit padded_input(const std::string& body) {
    if (body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING) {
      view = simdjson::padded_string_view{body.data(), body.size(),
                                          body.capacity()};
      return;
    }
    copy = simdjson::padded_string{body};
    view = simdjson::padded_string_view{
      copy.data(), copy.size(), copy.size() + simdjson::SIMDJSON_PADDING};
  }
  simdjson::padded_string copy; // empty when parsed in place
  simdjson::padded_string_view view;
};
static_assert(http::body_padding >= simdjson::SIMDJSON_PADDING);

// Opens the root object of a request, or says why it cannot.
expected<od::object> open_root(od::document& doc) {
  od::object root;
  if (auto e = doc.get_object().get(root))
    return bad(e == simdjson::INCORRECT_TYPE
                 ? std::string{"request body must be a JSON object"}
                 : "request body is not valid JSON: " + reason(e));
  return root;
}

// After the root object is consumed: anything left is trailing garbage.
expected<void> expect_end(od::document& doc) {
  const char* at = nullptr;
  if (doc.current_location().get(at) == simdjson::SUCCESS)
    return bad("unexpected text after the JSON object");
  return {};
}

expected<uint64_t> read_uint(od::value v, std::string_view field, uint64_t lo,
                             uint64_t hi) {
  uint64_t x = 0;
  auto e = v.get_uint64().get(x);
  if (e || x < lo || x > hi)
    return bad(std::string{field} + " must be an integer in "
               + std::to_string(lo) + ".." + std::to_string(hi));
  return x;
}

expected<std::string_view> read_string(od::value v, std::string_view field) {
  std::string_view s;
  if (v.get_string().get(s))
    return bad(std::string{field} + " must be a string");
  return s;
}

// Reads a JSON array of numbers into `out` (appending), at most `limit`
// values. `where` prefixes errors ("item 3: ").
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

// Metadata: a JSON object, kept as its raw text after a full validation
// (on-demand parsing skips what it does not read).
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
  if (raw.size() > index_limits::max_metadata_bytes)
    return bad(where + "metadata is " + std::to_string(raw.size())
               + " bytes, over the limit of "
               + std::to_string(index_limits::max_metadata_bytes));
  thread_local simdjson::dom::parser checker = [] {
    simdjson::dom::parser p;
    // On failure parse() allocates itself (with the default depth).
    if (p.allocate(index_limits::max_metadata_bytes + 1024,
                   max_metadata_depth)) {
    }
    return p;
  }();
  simdjson::dom::element ignored;
  if (auto e = checker.parse(raw.data(), raw.size()).get(ignored)) {
    if (e == simdjson::DEPTH_ERROR)
      return bad(where + "metadata nests deeper than "
                 + std::to_string(max_metadata_depth) + " levels");
    return bad(where + "metadata is not valid JSON: " + reason(e));
  }
  return std::string{raw};
}

// Calls fn(key, value) for each member of `obj`; stops at the first error.
// `where` prefixes JSON syntax errors ("item 3: ").
template <class F>
expected<void>
for_each_member(od::object obj, const std::string& where, F&& fn) {
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key))
      return bad(where + "not valid JSON: " + reason(e));
    od::value v;
    if (auto e = field.value().get(v))
      return bad(where + "not valid JSON: " + reason(e));
    if (auto ok = fn(key, v); !ok)
      return ok;
  }
  return {};
}

// Parses `body` as one JSON object and calls fn(key, value) per member;
// trailing text after the object is an error.
template <class F>
expected<void> for_each_root_member(const std::string& body, F&& fn) {
  padded_input input{body};
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

error unknown_field(const std::string& where, std::string_view key) {
  return bad(where + "unknown field '" + std::string{key} + "'");
}

} // namespace

expected<index_params> parse_create(const std::string& body) {
  index_params p;
  bool have_name = false, have_dim = false, have_distance = false;
  // Reads an integer field into `out` within [lo, hi].
  auto integer = [](od::value v, std::string_view field, uint32_t& out,
                    uint64_t lo, uint64_t hi) -> expected<void> {
    auto x = read_uint(v, field, lo, hi);
    if (!x)
      return x.error();
    out = static_cast<uint32_t>(*x);
    return {};
  };
  auto ok = for_each_root_member(
    body, [&](std::string_view key, od::value v) -> expected<void> {
      if (key == "name") {
        auto s = read_string(v, "name");
        if (!s)
          return s.error();
        p.name = std::string{*s};
        have_name = true;
        return {};
      }
      if (key == "dimension") {
        have_dim = true;
        return integer(v, key, p.dimension, 1, index_limits::max_dimension);
      }
      if (key == "distance") {
        auto s = read_string(v, "distance");
        if (!s)
          return s.error();
        if (!parse_metric(*s, p.space))
          return bad("distance '" + std::string{*s}
                     + "' is not one of cosine, l2, dot");
        have_distance = true;
        return {};
      }
      if (key == "m")
        return integer(v, key, p.m, index_limits::min_m, index_limits::max_m);
      if (key == "ef_construction")
        return integer(v, key, p.ef_construction,
                       index_limits::min_ef_construction,
                       index_limits::max_ef_construction);
      if (key == "ef_search")
        return integer(v, key, p.ef_search, index_limits::min_ef_search,
                       index_limits::max_ef_search);
      return unknown_field("", key);
    });
  if (!ok)
    return ok.error();
  if (!have_name)
    return bad("name is required");
  if (!have_dim)
    return bad("dimension is required");
  if (!have_distance)
    return bad("distance is required (cosine, l2 or dot)");
  if (auto valid = validate_params(p); !valid)
    return valid.error();
  return p;
}

expected<add_batch> parse_add(const std::string& body, uint32_t dimension) {
  add_batch batch;
  batch.dimension = dimension;
  bool have_items = false;
  // One item: {"id", "vector", "metadata"?}, appended to the batch.
  auto read_item = [&](od::object item, size_t i) -> expected<void> {
    auto where = "item " + std::to_string(i) + ": ";
    bool have_id = false, have_vector = false;
    std::string metadata;
    auto ok = for_each_member(
      item, where, [&](std::string_view name, od::value v) -> expected<void> {
        if (name == "id") {
          if (have_id)
            return bad(where + "id appears twice");
          auto s = read_string(v, where + "id");
          if (!s)
            return s.error();
          batch.ids.emplace_back(*s);
          have_id = true;
          return {};
        }
        if (name == "vector") {
          if (have_vector)
            return bad(where + "vector appears twice");
          auto n = read_floats(v, batch.vectors, dimension, where);
          if (!n)
            return n.error();
          if (*n != dimension)
            return bad(where + "vector has " + std::to_string(*n)
                       + " values, the index has dimension "
                       + std::to_string(dimension));
          have_vector = true;
          return {};
        }
        if (name == "metadata") {
          auto m = read_metadata(v, where);
          if (!m)
            return m.error();
          metadata = std::move(*m);
          return {};
        }
        return unknown_field(where, name);
      });
    if (!ok)
      return ok;
    if (!have_id)
      return bad(where + "id is required");
    if (!have_vector)
      return bad(where + "vector is required");
    batch.metadata.push_back(std::move(metadata));
    return {};
  };
  auto ok = for_each_root_member(
    body, [&](std::string_view key, od::value v) -> expected<void> {
      if (key != "items")
        return unknown_field("", key);
      have_items = true;
      od::array items;
      if (v.get_array().get(items))
        return bad("items must be an array");
      size_t i = 0;
      for (auto element : items) {
        od::object item;
        if (element.get_object().get(item))
          return bad("item " + std::to_string(i) + ": must be an object");
        if (auto read = read_item(item, i++); !read)
          return read;
      }
      return {};
    });
  if (!ok)
    return ok.error();
  if (!have_items)
    return bad("items is required");
  return batch;
}

expected<search_request> parse_search(const std::string& body) {
  search_request req;
  bool have_vector = false;
  auto ok = for_each_root_member(
    body, [&](std::string_view key, od::value v) -> expected<void> {
      if (key == "vector") {
        req.vector.clear();
        auto n = read_floats(v, req.vector, index_limits::max_dimension, "");
        if (!n)
          return n.error();
        have_vector = true;
        return {};
      }
      if (key == "k" || key == "ef") {
        auto x = key == "k" ? read_uint(v, "k", 1, index_limits::max_k)
                            : read_uint(v, "ef", index_limits::min_ef_search,
                                        index_limits::max_ef_search);
        if (!x)
          return x.error();
        (key == "k" ? req.k : req.ef.emplace()) = *x;
        return {};
      }
      return unknown_field("", key);
    });
  if (!ok)
    return ok.error();
  if (!have_vector)
    return bad("vector is required");
  return req;
}

void append_float(std::string& out, float value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

std::string render_info(const index_info& info) {
  auto& p = info.params;
  return boost::json::serialize(
    boost::json::object{{"name", p.name},
                        {"dimension", p.dimension},
                        {"distance", to_string(p.space)},
                        {"m", p.m},
                        {"ef_construction", p.ef_construction},
                        {"ef_search", p.ef_search},
                        {"length", info.length}});
}

std::string render_names(const std::vector<std::string>& names) {
  return boost::json::serialize(boost::json::object{
    {"names", boost::json::array(names.begin(), names.end())}});
}

std::string render_add(const add_result& result) {
  return "{\"added\":" + std::to_string(result.added)
         + ",\"length\":" + std::to_string(result.length) + "}";
}

std::string render_hits(const std::vector<search_hit>& hits) {
  std::string out;
  out.reserve(32 + hits.size() * 48);
  out += "{\"results\":[";
  for (size_t i = 0; i < hits.size(); ++i) {
    if (i > 0)
      out += ',';
    out += "{\"id\":";
    append_quoted(out, hits[i].id);
    out += ",\"distance\":";
    append_float(out, hits[i].distance);
    out += ",\"metadata\":";
    out += hits[i].metadata.empty() ? std::string_view{"null"}
                                    : std::string_view{hits[i].metadata};
    out += '}';
  }
  out += "]}";
  return out;
}

} // namespace lh::json
