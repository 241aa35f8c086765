#include "http/vector_json.hpp"

#include <cmath>

#include <charconv>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <simdjson.h>

#include "config/request_limits.hpp"
#include "http/json_reader.hpp"
#include "http/json_skim.hpp"
#include "http/json_writer.hpp"

namespace lh::json {

expected<index_params> parse_create(const std::string& body) {
  index_params p;
  bool have_name = false, have_dim = false, have_distance = false;
  // Reads an integer field into `out` within [lo, hi].
  auto integer = [](od::value v, std::string_view field, uint32_t& out,
                    uint64_t lo, uint64_t hi,
                    std::string_view set_by = "") -> expected<void> {
    auto x = read_uint(v, field, lo, hi, set_by);
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
        return integer(v, key, p.dimension, 1, limits().max_dimension,
                       " (limits.max_dimension)");
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

expected<add_batch> parse_add(const std::string& body, uint32_t dimension,
                              size_t split_above) {
  add_batch batch;
  batch.dimension = dimension;
  // Room for every float the body could hold (each takes at least two
  // bytes of text, "0,"): the vector never grows by copying, and the
  // pages it does not fill stay untouched, so they cost no memory.
  batch.vectors.reserve(body.size() / 2);
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
  // One element of items: an object, read as an item.
  auto read_element = [&](auto& element, size_t i) -> expected<void> {
    od::object item;
    if (element.get_object().get(item))
      return bad("item " + std::to_string(i) + ": must be an object");
    return read_item(item, i);
  };
  auto too_many = [] {
    return bad("items holds more than "
               + std::to_string(limits().max_batch_items)
               + " items (limits.max_batch_items): split the batch");
  };
  // A large body in place (its capacity holds simdjson's padding, as the
  // server's bodies do): each item its own document, the bytes after it
  // its padding.
  if (body.size() > split_above
      && body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING)
    if (auto items = items_of(body)) {
      if (items->size() > limits().max_batch_items)
        return too_many();
      parser_release release;
      for (size_t i = 0; i < items->size(); ++i) {
        auto [offset, length] = (*items)[i];
        simdjson::padded_string_view view{body.data() + offset, length,
                                          body.capacity() - offset};
        od::document doc;
        if (auto e = thread_parser().iterate(view).get(doc))
          return bad("item " + std::to_string(i)
                     + ": not valid JSON: " + reason(e));
        if (auto read = read_element(doc, i); !read)
          return read.error();
        if (auto end = expect_end(doc); !end)
          return end.error();
      }
      return batch;
    }
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
        if (i == limits().max_batch_items)
          return too_many();
        if (auto read = read_element(element, i++); !read)
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

namespace {

// One field of a search (the root of /search, an element of /search/batch).
expected<void> read_search_field(std::string_view key, od::value v,
                                 search_request& req, bool& have_vector) {
  if (key == "vector") {
    req.vector.clear();
    // Room for the common dimensions at once (one 4 KiB allocation
    // instead of a dozen regrowths while a 784-d query is read).
    req.vector.reserve(1024);
    // The index checks the dimension; this only bounds the reading (an
    // index may predate a lowered limits.max_dimension).
    auto n = read_floats(v, req.vector, request_limit_bounds::max_dimension,
                         "");
    if (!n)
      return n.error();
    have_vector = true;
    return {};
  }
  if (key == "filter")
    return read_filter(v, req.where);
  if (key == "with_metadata" || key == "with_vector") {
    auto b = read_bool(v, key);
    if (!b)
      return b.error();
    (key == "with_metadata" ? req.with_metadata : req.with_vector) = *b;
    return {};
  }
  if (key == "k" || key == "ef") {
    auto x = key == "k"
               ? read_uint(v, "k", 1, limits().max_k, " (limits.max_k)")
               : read_uint(v, "ef", index_limits::min_ef_search,
                           index_limits::max_ef_search);
    if (!x)
      return x.error();
    (key == "k" ? req.k : req.ef.emplace()) = *x;
    return {};
  }
  return unknown_field("", key);
}

} // namespace

expected<search_request> parse_search(const std::string& body) {
  search_request req;
  bool have_vector = false;
  auto ok = for_each_root_member(body, [&](std::string_view key, od::value v) {
    return read_search_field(key, v, req, have_vector);
  });
  if (!ok)
    return ok.error();
  if (!have_vector)
    return bad("vector is required");
  return req;
}

expected<std::vector<search_request>>
parse_search_batch(const std::string& body) {
  std::vector<search_request> searches;
  bool have_searches = false;
  auto ok = for_each_root_member(
    body, [&](std::string_view key, od::value v) -> expected<void> {
      if (key != "searches")
        return unknown_field("", key);
      have_searches = true;
      od::array list;
      if (v.get_array().get(list))
        return bad("searches must be an array of searches");
      for (auto element : list) {
        auto where = "searches[" + std::to_string(searches.size()) + "]: ";
        if (searches.size() == index_limits::max_batch_searches)
          return bad("searches holds more than "
                     + std::to_string(index_limits::max_batch_searches)
                     + " searches: split the batch");
        od::object obj;
        if (element.get_object().get(obj))
          return bad(where + "must be an object");
        auto& req = searches.emplace_back();
        bool have_vector = false;
        auto read = for_each_member(
          obj, where, [&](std::string_view k, od::value x) -> expected<void> {
            auto field = read_search_field(k, x, req, have_vector);
            if (!field)
              return bad(where + field.error().message);
            return {};
          });
        if (!read)
          return read;
        if (!have_vector)
          return bad(where + "vector is required");
      }
      return {};
    });
  if (!ok)
    return ok.error();
  if (!have_searches)
    return bad("searches is required");
  if (searches.empty())
    return bad("searches must hold 1.."
               + std::to_string(index_limits::max_batch_searches)
               + " searches");
  return searches;
}

void append_float(std::string& out, float value) {
  // JSON has no NaN or infinity. Validation keeps every distance finite
  // (index/validation.cpp); should one slip through, it is null, never
  // text a client's parser chokes on.
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
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
                        {"length", info.length},
                        {"deleted_slots", info.deleted_slots},
                        {"metadata_index_bytes", info.metadata_index_bytes}});
}

std::string render_names(const std::vector<std::string>& names,
                         std::string_view next) {
  boost::json::object page{
    {"names", boost::json::array(names.begin(), names.end())}};
  if (next.empty())
    page["next"] = nullptr;
  else
    page["next"] = next;
  return boost::json::serialize(page);
}

std::string render_add(const add_result& result) {
  return "{\"added\":" + std::to_string(result.added)
         + ",\"length\":" + std::to_string(result.length) + "}";
}

void append_floats(std::string& out, std::span<const float> values) {
  out += '[';
  for (size_t j = 0; j < values.size(); ++j) {
    if (j > 0)
      out += ',';
    append_float(out, values[j]);
  }
  out += ']';
}

void append_metadata(std::string& out, std::string_view metadata) {
  out += metadata.empty() ? std::string_view{"null"} : metadata;
}

void append_item(std::string& out, const item_fields& item) {
  out += "{\"id\":";
  append_quoted(out, item.id);
  if (item.distance) {
    out += ",\"distance\":";
    append_float(out, *item.distance);
  }
  if (item.metadata) {
    out += ",\"metadata\":";
    append_metadata(out, *item.metadata);
  }
  if (!item.vector.empty()) {
    out += ",\"vector\":";
    append_floats(out, item.vector);
  }
  out += '}';
}

void append_hits(std::string& out, const std::vector<search_hit>& hits,
                 bool with_metadata) {
  out += '[';
  for (size_t i = 0; i < hits.size(); ++i) {
    if (i > 0)
      out += ',';
    append_item(out, {hits[i].id, hits[i].distance,
                      with_metadata
                        ? std::optional<std::string_view>{hits[i].metadata}
                        : std::nullopt,
                      hits[i].vector});
  }
  out += ']';
}

std::string render_hits(const std::vector<search_hit>& hits,
                        bool with_metadata) {
  std::string out;
  out.reserve(32 + hits.size() * 48);
  out += "{\"results\":";
  append_hits(out, hits, with_metadata);
  out += '}';
  return out;
}

std::string render_batch_hits(const std::vector<std::string>& hit_lists) {
  size_t size = 16;
  for (auto& h : hit_lists)
    size += h.size() + 1;
  std::string out;
  out.reserve(size);
  out += "{\"results\":[";
  for (size_t i = 0; i < hit_lists.size(); ++i) {
    if (i > 0)
      out += ',';
    out += hit_lists[i];
  }
  out += "]}";
  return out;
}

} // namespace lh::json
