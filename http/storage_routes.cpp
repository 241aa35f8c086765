#include "http/storage_routes.hpp"

#include <charconv>
#include <optional>

#include "http/error_response.hpp"
#include "http/json_writer.hpp"
#include "storage/key_rules.hpp"

namespace lh::http {

namespace {

// The optional ?generation= of a put or delete (rocks_store::put_if_newer).
expected<std::optional<uint64_t>> generation_of(const request& req) {
  std::string raw;
  if (!query_param(req.query, "generation", raw))
    return std::optional<uint64_t>{};
  uint64_t value = 0;
  auto [end, err] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
  if (err != std::errc{} || end != raw.data() + raw.size() || raw.empty())
    return make_error(ec::invalid_argument,
                      "generation must be an unsigned integer");
  return std::optional<uint64_t>{value};
}

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

// The routes the vector service's log and ordered saves use.
void add_log_routes(router& r, std::shared_ptr<async_store> store,
                    uint64_t max_value_bytes, const std::string& prefix) {
  r.add(
    method::post, prefix + "/storage/append",
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
  r.add(method::post, prefix + "/storage/trim",
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
  r.add(
    method::put, prefix + "/storage/put/{key*}",
    [store](request& req, respond_fn respond) {
      auto key = decode_key(req.param("key"));
      if (!key)
        return respond(error_response(key.error()));
      auto generation = generation_of(req);
      if (!generation)
        return respond(error_response(generation.error()));
      auto size = req.body.size();
      auto reply = json_response("{\"key\":" + json::quoted(*key)
                                 + ",\"bytes\":" + std::to_string(size) + "}");
      if (*generation)
        return store->put_if_newer(*key, std::move(req.body), **generation,
                                   answer_with(respond, reply));
      store->put(*key, std::move(req.body), answer_with(respond, reply));
    },
    max_value_bytes);
  r.add(method::get, prefix + "/storage/get/{key*}",
        [store](request& req, respond_fn respond) {
          auto key = decode_key(req.param("key"));
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
        });
  r.add(method::del, prefix + "/storage/delete/{key*}",
        [store](request& req, respond_fn respond) {
          auto key = decode_key(req.param("key"));
          if (!key)
            return respond(error_response(key.error()));
          auto generation = generation_of(req);
          if (!generation)
            return respond(error_response(generation.error()));
          auto reply = json_response("{\"deleted\":" + json::quoted(*key)
                                     + "}");
          if (*generation)
            return store->remove_if_newer(*key, **generation,
                                          answer_with(respond, reply));
          store->remove(*key, answer_with(respond, reply));
        });
  r.add(method::get, prefix + "/storage/list",
        [store](request& req, respond_fn respond) {
          std::string raw;
          query_param(req.query, "prefix", raw);
          auto list_prefix = percent_decode(raw);
          if (!list_prefix)
            return respond(error_response(list_prefix.error()));
          if (auto ok = validate_prefix(*list_prefix); !ok)
            return respond(error_response(ok.error()));
          store->list(*list_prefix,
                      [respond](expected<std::vector<std::string>> keys) {
                        if (!keys)
                          return respond(error_response(keys.error()));
                        respond(json_response(
                          "{\"keys\":" + json::string_array(*keys) + "}"));
                      });
        });
  add_log_routes(r, store, max_value_bytes, prefix);
}

readiness storage_readiness(const rocks_store& store) {
  auto writable = store.check_writable();
  boost::json::object detail{
    {"store", writable ? std::string{"writable"} : writable.error().message}};
  return readiness{static_cast<bool>(writable), std::move(detail)};
}

} // namespace lh::http
