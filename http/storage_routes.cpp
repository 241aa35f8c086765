#include "http/storage_routes.hpp"

#include "http/error_response.hpp"
#include "http/json_writer.hpp"
#include "storage/key_rules.hpp"

namespace lh::http {

void add_storage_routes(router& r, std::shared_ptr<async_store> store,
                        uint64_t max_value_bytes, const std::string& prefix) {
  r.add(
    method::put, prefix + "/storage/put/{key*}",
    [store](request& req, respond_fn respond) {
      auto key = decode_key(req.param("key"));
      if (!key)
        return respond(error_response(key.error()));
      auto size = req.body.size();
      auto reply = json_response("{\"key\":" + json::quoted(*key)
                                 + ",\"bytes\":" + std::to_string(size) + "}");
      store->put(*key, std::move(req.body),
                 [respond, reply](expected<void> ok) {
                   respond(ok ? reply : error_response(ok.error()));
                 });
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
          auto reply = json_response("{\"deleted\":" + json::quoted(*key)
                                     + "}");
          store->remove(*key, [respond, reply](expected<void> ok) {
            respond(ok ? reply : error_response(ok.error()));
          });
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
}

readiness storage_readiness(const rocks_store& store) {
  auto writable = store.check_writable();
  boost::json::object detail{
    {"store", writable ? std::string{"writable"} : writable.error().message}};
  return readiness{static_cast<bool>(writable), std::move(detail)};
}

} // namespace lh::http
