#include "http/storage_routes.hpp"

#include <charconv>
#include <optional>

#include "http/error_response.hpp"
#include "http/json_writer.hpp"
#include "storage/key_rules.hpp"

namespace lh::http {

namespace {

// A decoded, valid key from the query parameter `name`.
expected<std::string> key_param(const request& req, std::string_view name) {
  std::string raw;
  if (!query_param(req.query, name, raw))
    return make_error(ec::invalid_argument,
                      "missing query parameter '" + std::string{name} + "'");
  return decode_key(raw);
}

std::function<void(expected<void>)> answer_with(respond_fn respond,
                                                response reply) {
  return [respond, reply](expected<void> ok) {
    respond(ok ? reply : error_response(ok.error()));
  };
}

error reserved(std::string_view what) {
  std::string prefixes;
  for (auto p : reserved_prefixes)
    prefixes += (prefixes.empty() ? "" : ", ") + std::string{p};
  return make_error(ec::forbidden,
                    std::string{what}
                      + " is under a prefix reserved for the vector service's "
                        "own objects ("
                      + prefixes + ")");
}

// The routes of one scope: public ones refuse the reserved prefixes and
// ordered (?generation=) writes; internal ones are the vector service's.
struct object_routes {
  std::shared_ptr<async_store> store;
  bool internal;

  // The key of a put, get or delete, decoded and allowed in this scope.
  expected<std::string> key_of(const request& req) const {
    auto key = decode_key(req.param("key"));
    if (key && !internal && is_reserved_key(*key))
      return reserved("key " + json::quoted(*key));
    return key;
  }
  // The optional ?generation= of a put or delete (rocks_store::put_if_newer).
  expected<std::optional<uint64_t>> generation_of(const request& req) const {
    std::string raw;
    if (!query_param(req.query, "generation", raw))
      return std::optional<uint64_t>{};
    if (!internal)
      return make_error(ec::forbidden, "ordered writes (?generation=) are "
                                       "the vector service's own");
    uint64_t value = 0;
    auto [end, err] = std::from_chars(raw.data(), raw.data() + raw.size(),
                                      value);
    if (err != std::errc{} || end != raw.data() + raw.size() || raw.empty())
      return make_error(ec::invalid_argument,
                        "generation must be an unsigned integer");
    return std::optional<uint64_t>{value};
  }

  // A put or delete: the key and ?generation= checked, then `write(key,
  // generation)` (nullopt: a plain write), answered with `reply(key)`.
  template <class Write, class Reply>
  void write_step(request& req, respond_fn respond, Reply reply,
                  Write write) const {
    auto key = key_of(req);
    if (!key)
      return respond(error_response(key.error()));
    auto generation = generation_of(req);
    if (!generation)
      return respond(error_response(generation.error()));
    write(*key, *generation, answer_with(respond, reply(*key)));
  }

  void put(request& req, respond_fn respond) const {
    auto size = req.body.size();
    write_step(
      req, respond,
      [size](const std::string& key) {
        return json_response("{\"key\":" + json::quoted(key) + ",\"bytes\":"
                             + std::to_string(size) + "}");
      },
      [&](const std::string& key, std::optional<uint64_t> generation,
          auto done) {
        if (generation)
          return store->put_if_newer(key, std::move(req.body), *generation,
                                     done);
        store->put(key, std::move(req.body), done);
      });
  }
  void get(request& req, respond_fn respond) const {
    auto key = key_of(req);
    if (!key)
      return respond(error_response(key.error()));
    store->get(*key, [respond](expected<std::string> value) {
      if (!value)
        return respond(error_response(value.error()));
      response res;
      res.content_type = "application/octet-stream";
      res.body = std::move(*value);
      respond(std::move(res));
    });
  }
  void remove(request& req, respond_fn respond) const {
    write_step(
      req, respond,
      [](const std::string& key) {
        return json_response("{\"deleted\":" + json::quoted(key) + "}");
      },
      [&](const std::string& key, std::optional<uint64_t> generation,
          auto done) {
        if (generation)
          return store->remove_if_newer(key, *generation, done);
        store->remove(key, done);
      });
  }
  void list(request& req, respond_fn respond) const {
    std::string raw;
    query_param(req.query, "prefix", raw);
    auto prefix = percent_decode(raw);
    if (!prefix)
      return respond(error_response(prefix.error()));
    if (auto ok = validate_prefix(*prefix); !ok)
      return respond(error_response(ok.error()));
    if (!internal && is_reserved_key(*prefix))
      return respond(error_response(reserved("prefix " + json::quoted(*prefix))));
    // A public list that could name reserved keys leaves them out.
    bool hide = !internal && may_list_reserved(*prefix);
    store->list(*prefix,
                [respond, hide](expected<std::vector<std::string>> keys) {
                  if (!keys)
                    return respond(error_response(keys.error()));
                  if (hide)
                    std::erase_if(*keys, is_reserved_key);
                  respond(json_response("{\"keys\":"
                                        + json::string_array(*keys) + "}"));
                });
  }

  void add(router& r, const std::string& base, uint64_t max_value_bytes) const {
    auto self = *this;
    r.add(
      method::put, base + "/put/{key*}",
      [self](request& req, respond_fn respond) { self.put(req, respond); },
      max_value_bytes);
    r.add(method::get, base + "/get/{key*}",
          [self](request& req, respond_fn respond) { self.get(req, respond); });
    r.add(method::del, base + "/delete/{key*}",
          [self](request& req, respond_fn respond) {
            self.remove(req, respond);
          });
    r.add(method::get, base + "/list",
          [self](request& req, respond_fn respond) { self.list(req, respond); });
  }
};

// The routes the vector service's log and trims use (internal only).
void add_log_routes(router& r, std::shared_ptr<async_store> store,
                    uint64_t max_value_bytes, const std::string& base) {
  r.add(
    method::post, base + "/append",
    [store](request& req, respond_fn respond) {
      auto objects = decode_object_group(req.body);
      if (!objects)
        return respond(error_response(objects.error()));
      for (auto& [key, value] : *objects)
        if (auto ok = validate_key(key); !ok)
          return respond(error_response(ok.error()));
      auto reply = json_response("{\"objects\":"
                                 + std::to_string(objects->size()) + "}");
      store->put_all(std::move(*objects), answer_with(respond, reply));
    },
    max_value_bytes);
  r.add(method::post, base + "/trim",
        [store](request& req, respond_fn respond) {
          auto from = key_param(req, "from");
          auto to = key_param(req, "to");
          if (!from || !to)
            return respond(error_response(!from ? from.error() : to.error()));
          store->remove_range(*from, *to,
                              answer_with(respond, json_response("{}")));
        });
}

} // namespace

void add_storage_routes(router& r, std::shared_ptr<async_store> store,
                        uint64_t max_value_bytes, const std::string& prefix) {
  object_routes{std::move(store), false}.add(r, prefix + "/storage",
                                             max_value_bytes);
}

void add_internal_storage_routes(router& r, std::shared_ptr<async_store> store,
                                 uint64_t max_value_bytes) {
  object_routes{store, true}.add(r, internal_storage_base, max_value_bytes);
  add_log_routes(r, std::move(store), max_value_bytes, internal_storage_base);
}

readiness storage_readiness(const rocks_store& store) {
  auto writable = store.check_writable();
  boost::json::object detail{
    {"store", writable ? std::string{"writable"} : writable.error().message}};
  return readiness{static_cast<bool>(writable), std::move(detail)};
}

} // namespace lh::http
